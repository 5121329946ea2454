"""`make demo` says which of its processes cannot start and why, and leaves none of the others running."""

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from conftest import BASE_DIR, free_port, listening


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port something else listens on."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def run_demo(tmp_path: Path, **environment: str) -> subprocess.CompletedProcess:
    """The demo on its own database and ports, and on the tests' Redis, so a failure here touches nothing of yours."""
    demo_environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "REDIS_URL": settings.REDIS_URL,
        "DEMO_WEB_PORT": str(free_port()),
        "DEMO_EMULATOR_PORT": str(free_port()),
        "PYTHONUNBUFFERED": "1",
        **environment,
    }
    return subprocess.run(
        [sys.executable, "-m", "config.demo"],
        cwd=BASE_DIR,
        env=demo_environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_demo_names_the_process_whose_port_is_taken_and_starts_nothing(tmp_path, held_port):
    finished = run_demo(tmp_path, DEMO_WEB_PORT=str(held_port))

    assert finished.returncode == 1
    assert f"web server: port {held_port} is already in use; set DEMO_WEB_PORT" in finished.stderr
    assert "WhatsDesk is running" not in finished.stdout
    assert not (tmp_path / "demo.sqlite3").exists()


def test_a_process_that_fails_at_start_up_is_named_and_the_others_are_stopped(tmp_path):
    web_port, emulator_port = free_port(), free_port()

    finished = run_demo(
        tmp_path,
        DEMO_WEB_PORT=str(web_port),
        DEMO_EMULATOR_PORT=str(emulator_port),
        CELERY_BROKER_URL="no-such-transport://",  # the worker exits at start-up; the web server is already up
    )

    assert finished.returncode == 1
    assert "Celery worker: stopped at start-up (exit code 1)" in finished.stderr
    assert "No such transport" in finished.stderr  # the worker's own reason, from its log
    assert "WhatsDesk is running" not in finished.stdout
    assert not listening(web_port)
    assert not listening(emulator_port)
