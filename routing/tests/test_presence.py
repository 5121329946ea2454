"""Presence lost by itself: an agent whose every workspace connection has been gone past the grace period becomes
offline and their offers go back to the queue; one connection left open, or a return in time, keeps them. A server
process killed without closing its sockets stops vouching for them, and the sweep discards them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from interactions.live_connections import LiveServer, this_server
from routing.models import AgentProfile, Presence, WorkItem, WorkItemState, WorkspaceConnection, WorkspaceServer
from routing.services.assignment import offer_next_items
from routing.services.presence import (
    discard_connections_of_lost_servers,
    record_connection_closed,
    record_connection_opened,
    record_server_alive,
    set_lost_agents_offline,
    set_presence,
)
from routing.tests.factories import QueueFactory, WorkItemFactory, serving_agent

pytestmark = pytest.mark.django_db

GRACE = timedelta(seconds=60)


def profile_of(user) -> AgentProfile:
    return AgentProfile.objects.get(user=user)


def live_server() -> LiveServer:
    """A server process that vouches for its connections all through the test, whatever time the sweep is told."""
    return LiveServer(name="web-1:1000:alive", alive_until=timezone.now() + timedelta(days=1))


def opened(user, connection_id: str, server: LiveServer | None = None) -> None:
    record_connection_opened(user=user, connection_id=connection_id, server=server or live_server())


def closed(user, connection_id: str) -> None:
    record_connection_closed(user=user, connection_id=connection_id)


def killed_server(name: str = "web-2:4242:dead") -> LiveServer:
    """A server process that vouched for its connections until a minute ago, then stopped (kill -9)."""
    return LiveServer(name=name, alive_until=timezone.now() - timedelta(minutes=1))


def test_an_agent_gone_past_the_grace_period_goes_offline_and_their_offer_moves_on(committing):
    queue = QueueFactory()
    gone, present = serving_agent(queue), serving_agent(queue, capacity=1)
    item = WorkItemFactory(queue=queue)
    offer_next_items(queue=queue)
    assert WorkItem.objects.get(pk=item.pk).offered_to == gone
    opened(gone, "tab-1")
    closed(gone, "tab-1")
    left_at = profile_of(gone).disconnected_since

    assert set_lost_agents_offline(now=left_at + GRACE - timedelta(seconds=1)) == 0
    with committing():
        assert set_lost_agents_offline(now=left_at + GRACE) == 1

    assert profile_of(gone).presence == Presence.OFFLINE
    item.refresh_from_db()
    assert (item.state, item.offered_to) == (WorkItemState.OFFERED, present)


def test_one_connection_left_open_keeps_the_agent_present():
    person = serving_agent(QueueFactory())
    opened(person, "tab-1")
    opened(person, "tab-2")

    closed(person, "tab-1")

    assert profile_of(person).disconnected_since is None
    assert WorkspaceConnection.objects.filter(user=person).count() == 1
    assert set_lost_agents_offline(now=timezone.now() + GRACE * 10) == 0


def test_a_closing_heard_twice_counts_once():
    person = serving_agent(QueueFactory())
    opened(person, "tab-1")
    opened(person, "tab-2")

    closed(person, "tab-1")
    closed(person, "tab-1")

    assert profile_of(person).disconnected_since is None


def test_an_agent_back_within_the_grace_period_stays_available():
    person = serving_agent(QueueFactory())
    opened(person, "tab-1")
    closed(person, "tab-1")

    opened(person, "tab-2")

    assert set_lost_agents_offline(now=timezone.now() + GRACE * 10) == 0
    assert profile_of(person).presence == Presence.AVAILABLE


def test_a_connection_recorded_before_the_agent_had_a_profile_is_counted_still():
    person = serving_agent(QueueFactory())
    AgentProfile.objects.filter(user=person).delete()
    opened(person, "tab-1")
    set_presence(agent=person, presence=Presence.AVAILABLE)
    opened(person, "tab-2")

    closed(person, "tab-2")

    assert profile_of(person).disconnected_since is None


def test_the_connections_of_a_killed_server_are_discarded_and_the_grace_period_starts_when_it_stopped_vouching():
    person = serving_agent(QueueFactory())
    dead = killed_server()
    opened(person, "tab-on-the-killed-server", dead)

    assert set_lost_agents_offline(now=dead.alive_until + GRACE - timedelta(seconds=1)) == 0

    assert not WorkspaceConnection.objects.exists()
    assert not WorkspaceServer.objects.filter(name=dead.name).exists()
    assert profile_of(person).disconnected_since == dead.alive_until
    assert profile_of(person).presence == Presence.AVAILABLE  # within the grace period still
    assert set_lost_agents_offline(now=dead.alive_until + GRACE) == 1
    assert profile_of(person).presence == Presence.OFFLINE


def test_a_connection_on_a_server_still_vouching_keeps_the_agent_when_another_server_dies():
    person = serving_agent(QueueFactory())
    opened(person, "tab-on-the-killed-server", killed_server())
    opened(person, "tab-on-a-live-server")

    assert set_lost_agents_offline(now=timezone.now() + timedelta(seconds=1)) == 0

    assert list(WorkspaceConnection.objects.values_list("connection_id", flat=True)) == ["tab-on-a-live-server"]
    assert profile_of(person).disconnected_since is None


def test_a_heartbeat_brings_back_connections_discarded_meanwhile_and_closes_those_whose_closing_was_lost():
    kept, lost, newcomer = (serving_agent(QueueFactory()) for _ in range(3))
    server = this_server()
    opened(kept, "tab-discarded-while-the-database-was-away", server)
    WorkspaceServer.objects.filter(name=server.name).update(alive_until=timezone.now() - timedelta(minutes=1))
    assert discard_connections_of_lost_servers(now=timezone.now()) == 1
    assert profile_of(kept).disconnected_since is not None
    opened(lost, "tab-whose-closing-was-lost", server)
    as_of = timezone.now()
    opened(newcomer, "tab-opened-after-the-heartbeat-looked", server)

    record_server_alive(server=server, connections={"tab-discarded-while-the-database-was-away": kept.pk}, as_of=as_of)

    assert set(WorkspaceConnection.objects.values_list("connection_id", flat=True)) == {
        "tab-discarded-while-the-database-was-away",
        "tab-opened-after-the-heartbeat-looked",
    }
    assert profile_of(kept).disconnected_since is None
    assert profile_of(lost).disconnected_since is not None


def test_a_reason_is_kept_only_while_away():
    person = serving_agent(QueueFactory())
    set_presence(agent=person, presence=Presence.AWAY, away_reason="  Training ")
    assert profile_of(person).away_reason == "Training"

    set_presence(agent=person, presence=Presence.AVAILABLE, away_reason="ignored")

    assert (profile_of(person).presence, profile_of(person).away_reason) == (Presence.AVAILABLE, "")
