"""`make demo` says which of its processes cannot start and why, and leaves none of the others running."""

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings

from conftest import BASE_DIR, free_port, listening, wait_until


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


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_demo_customers_leave_a_case_to_check_and_an_offer_for_an_agent(live_system):
    from django.core.management import call_command

    from config.demo import play_demo_customers
    from customer_service.models import Case
    from interactions.models import Interaction, InteractionState
    from routing.models import WorkItem

    for seed in ("seed_demo", "seed_routing_demo", "seed_customer_service_demo", "seed_virtual_agent_demo"):
        call_command(seed, stdout=StringIO())
    emulator = live_system.emulator

    assert play_demo_customers(emulator) == []

    daniel = Interaction.objects.get(channel_user__external_id="4915112345678")
    assert daniel.state == InteractionState.CLOSED_COMPLETE  # he said bye
    case = Case.objects.get(short_description="The armrest of the office chair I got yesterday is broken.")
    assert [attached.message_attachment.mime_type for attached in case.attachments.all()] == ["image/png"]
    offer = wait_until(lambda: WorkItem.objects.filter(offered_to__isnull=False).first(), message="Priya's offer")
    assert offer.interaction.channel_user.external_id == "447700900123"
    assert offer.handoff_topic == "live-agent"
    assert offer.summary == (
        "Virtual agent: Talk to an agent. Earlier: Search help articles "
        "(Query: Hello, how do I change the delivery address of order 8841?)."
    )  # her question found articles, then she asked for a person

    seen = len(emulator.sent_messages("4915112345678"))
    emulator.customer_sends("4915112345678", "Hello", name="Daniel Weber")  # a new user plays Daniel
    greeting = emulator.sent_messages("4915112345678", min_count=seen + 1, timeout=20)[-1]
    assert greeting["interactive"]["body"]["text"].startswith("Hi Daniel! I'm the virtual agent.")
    emulator.customer_sends("4915112345678", "status", name="Daniel Weber")
    status = emulator.sent_messages("4915112345678", min_count=seen + 2, timeout=20)[-1]
    assert f"{case.number}: The armrest" in status["interactive"]["body"]["text"]
