"""`manage.py check --deploy` passes with the production settings and what a deployment must set, warnings
included: HSTS, secure cookies, the security headers. Run as a deployment runs it, in a process of its own."""

import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

BASE_DIR = Path(__file__).resolve().parents[2]

DEPLOYMENT = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "a-deployments-own-secret-key-" + "x7Qm2Lp9Zr4Tv8Wn3Yb6Hc1Jd5Kf0Gs" * 2,
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "ALLOWED_HOSTS": "desk.example.com",
    "PUBLIC_BASE_URL": "https://desk.example.com",
    "DATABASE_URL": "postgres://whatsdesk@127.0.0.1:5432/whatsdesk",  # not connected to: the checks need no rows
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "WHATSAPP_ACCESS_TOKEN": "deploy-check-access-token",
    "WHATSAPP_APP_SECRET": "deploy-check-app-secret",
    "WHATSAPP_VERIFY_TOKEN": "deploy-check-verify-token",
    "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
    # Behind the proxy, daphne --proxy-headers sets REMOTE_ADDR (README, "Production"): the deployment says so.
    "SILENCED_SYSTEM_CHECKS": "interactions.W201",
}


def deploy_check(**overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env={"PATH": "/usr/bin:/bin", **DEPLOYMENT, **overrides},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_the_production_settings():
    result = deploy_check()

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_a_deployment_that_switches_hsts_off():
    result = deploy_check(SECURE_HSTS_SECONDS="0")

    assert result.returncode != 0 and "security.W004" in result.stderr
