"""A web server process killed outright (kill -9, out of memory) never closes its sockets, so nobody hears them
close: its heartbeat stops instead, the presence sweep discards its connections, and an agent who had no other one
goes offline after the grace period, their offer back in the queue."""

import os
import signal

import pytest
from django.conf import settings

from config.celery import app
from conftest import wait_until
from routing.models import AgentProfile, Presence, WorkItemEventKind, WorkspaceConnection, WorkspaceServer
from routing.services.assignment import offer_next_items
from routing.tests.factories import QueueFactory, WorkItemFactory, serving_agent
from tests.test_conversation import workspace_socket
from tests.test_resilience import start_web_process

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sweep_presence() -> None:
    """Beat's presence sweep, run now (in this process, with this test's grace period)."""
    app.tasks[settings.CELERY_BEAT_SCHEDULE["set-lost-agents-offline"]["task"]]()


def test_an_agent_whose_web_server_was_killed_goes_offline_after_the_grace_period(live_system, settings):
    settings.ROUTING = {"PRESENCE_GRACE_SECONDS": 2}
    queue = QueueFactory()
    person = serving_agent(queue)
    item = WorkItemFactory(queue=queue)
    offer_next_items(agent=person)
    web_url = start_web_process(live_system, "web-to-kill", WORKSPACE_HEARTBEAT_SECONDS="0.5")

    with workspace_socket(live_system, person, web_url=web_url) as socket:
        assert '"hello"' in socket.recv(timeout=10)
        connection = wait_until(lambda: WorkspaceConnection.objects.filter(user=person).first())
        first_vouched = WorkspaceServer.objects.get(name=connection.server).alive_until
        wait_until(
            lambda: WorkspaceServer.objects.get(name=connection.server).alive_until > first_vouched,
            message="the web server's heartbeat",
        )
        sweep_presence()  # a server that vouches keeps its connections
        assert WorkspaceConnection.objects.filter(user=person).exists()

        process = live_system.processes.pop("web-to-kill")
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def offline() -> bool:
        sweep_presence()
        return AgentProfile.objects.get(user=person).presence == Presence.OFFLINE

    assert wait_until(offline, timeout=30, message="the agent to go offline once the grace period has passed")
    assert not WorkspaceConnection.objects.filter(user=person).exists()
    assert not WorkspaceServer.objects.filter(name=connection.server).exists()
    item.refresh_from_db()
    assert item.offered_to != person
    assert item.events.filter(kind=WorkItemEventKind.OFFER_WITHDRAWN, agent=person).exists()
