"""Without REDIS_URL, a test run starts the embedded Redis itself, stops it at the end, and refuses a taken port."""

import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from redis import Redis

from conftest import BASE_DIR, free_port, listening


def test_the_run_reaches_the_redis_its_settings_name():
    assert Redis.from_url(settings.REDIS_URL, socket_timeout=5).ping()


def run_pytest_on_the_embedded_redis(port: int, *arguments: str) -> subprocess.CompletedProcess:
    environment = {
        name: value for name, value in os.environ.items() if name not in {"REDIS_URL", "DATABASE_URL", "TEST_RUN_ID"}
    }
    environment["EMBEDDED_REDIS_TEST_PORT"] = str(port)
    environment["EMBEDDED_REDIS_PORT"] = str(port)  # the demo's too: a Redis started on import would show here
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *arguments],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_run_starts_the_embedded_redis_and_stops_it_when_it_ends():
    port = free_port()

    finished = run_pytest_on_the_embedded_redis(port, f"{__file__}::test_the_run_reaches_the_redis_its_settings_name")

    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert not listening(port)


def test_collecting_the_tests_starts_no_redis():
    port = free_port()

    finished = run_pytest_on_the_embedded_redis(port, "--collect-only", __file__)

    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert not listening(port)


def test_a_port_held_by_something_other_than_the_embedded_redis_stops_the_run_with_the_reason():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        finished = run_pytest_on_the_embedded_redis(
            port, f"{__file__}::test_the_run_reaches_the_redis_its_settings_name"
        )

    assert finished.returncode == pytest.ExitCode.USAGE_ERROR, finished.stdout + finished.stderr
    assert f"port {port} is already in use by something other than the embedded Redis" in finished.stdout
    assert "set EMBEDDED_REDIS_TEST_PORT to a free port" in finished.stdout
