"""`manage.py whatsapp_emulator` announces its URL, serves, and stops cleanly on SIGTERM."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.timeout(60)

PROJECT_DIR = Path(__file__).resolve().parents[2]
# The base settings read credentials from the environment only (the test settings pin them).
SETTINGS = {"DJANGO_SETTINGS_MODULE": "config.settings.base"}


def test_the_command_serves_until_sigterm():
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "whatsapp_emulator",
            "--port=0",
            "--phone-number-id=1234",
            "--display-phone-number=+1 555 0100",
            "--waba-id=5678",
            "--access-token=t",
            "--app-secret=s",
            "--webhook-url=http://127.0.0.1:9/",
        ],
        cwd=PROJECT_DIR,
        env={**os.environ, **SETTINGS},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert "emulator on http://127.0.0.1:" in line, process.stderr.read() if process.poll() is not None else line
        url = line.split(" on ", 1)[1].split()[0]
        assert requests.get(f"{url}/_emulator/health", timeout=5).json() == {"ok": True}
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_the_command_serves_further_numbers_from_a_file_and_injects_send_faults(tmp_path):
    numbers = tmp_path / "numbers.json"
    number = {"phone_number_id": "4321", "display_phone_number": "+1 555 0101", "waba_id": "5678"}
    numbers.write_text(json.dumps([{**number, "access_token": "t2", "app_secret": "s"}]))
    process = subprocess.Popen(
        [sys.executable, "manage.py", "whatsapp_emulator", "--port=0", "--phone-number-id=1234",
         "--display-phone-number=+1 555 0100", "--waba-id=5678", "--access-token=t", "--app-secret=s",
         "--webhook-url=", f"--numbers-file={numbers}", "--send-fault-rate=0.05", "--log-length=50000"],
        cwd=PROJECT_DIR, env={**os.environ, **SETTINGS}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = process.stdout.readline()
        assert "emulator on http://127.0.0.1:" in line, process.stderr.read() if process.poll() is not None else line
        url = line.split(" on ", 1)[1].split()[0]
        businesses = requests.get(f"{url}/_emulator/businesses", timeout=5).json()["businesses"]
        assert [b["phone_number_id"] for b in businesses] == ["1234", "4321"]
        assert requests.get(f"{url}/_emulator/faults", timeout=5).json()["send_fault_rate"] == 0.05
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_command_refuses_to_start_without_credentials():
    env = {
        **os.environ,
        **SETTINGS,
        "WHATSAPP_ACCESS_TOKEN": "",
        "WHATSAPP_APP_SECRET": "",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "whatsapp_emulator", "--port=0", "--phone-number-id=1234"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode != 0
    assert "WHATSAPP_ACCESS_TOKEN" in result.stderr and "WHATSAPP_APP_SECRET" in result.stderr
