"""Agents' presence: available, away (with a reason) or offline. Set by the agent from the workspace header or by a
supervisor, and lost by itself when every workspace connection of the agent has been gone longer than the grace
period (a closed laptop): their pending offers then go back to the queue.

Each open workspace connection is a row naming the web server process that holds it; the process vouches for its
connections with a heartbeat (`interactions.live_connections`). A process killed without closing its sockets
stops vouching, and the presence sweep discards its connections: their agents' grace period starts then.

Becoming available offers the agent work once the change commits; going away or offline withdraws their pending
offers in the same transaction (the profile's lock first, then the offers: the order in `services/assignment.py`).
"""

import logging
from collections.abc import Collection
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from interactions.live import published_together
from interactions.live_connections import LiveServer
from interactions.people import person_name
from interactions.task_queue import enqueue_task_on_commit_once, task_started
from routing.configuration import routing_configuration
from routing.live import AgentPresence, publish_presence
from routing.models import AgentProfile, Presence, WorkspaceConnection, WorkspaceServer
from routing.policies.capacity import agent_load, capacity_of
from routing.services.assignment import offer_next_items_on_commit, release_offers_of
from routing.tasks import publish_load_task

logger = logging.getLogger(__name__)


def set_presence(
    *, agent: AbstractBaseUser, presence: str, away_reason: str = "", by: AbstractBaseUser | None = None
) -> AgentPresence:
    """`by` is the supervisor who set it for the agent, if one did (logged). A reason is kept only while away.
    Returns the agent as the push shows them, load included (what the agent's own answer shows too)."""
    if presence not in Presence.values:
        raise ValueError(f"{presence!r} is not a presence; use one of {', '.join(Presence.values)}.")
    with published_together(), transaction.atomic():  # the presence and the offers it withdrew: one frame
        profile = _locked_profile(agent)
        shown = _change(profile, presence=presence, away_reason=away_reason, now=timezone.now())
    if by is not None and by.pk != agent.pk:
        logger.info("%s set %s %s", by, agent, presence)
    return shown or presence_of(profile)


def _locked_profile(agent: AbstractBaseUser) -> AgentProfile:
    # Never the user's row too: every history row and offer names its agent, and their foreign-key checks at
    # commit take a share lock on it.
    locked = AgentProfile.objects.select_for_update(of=("self",)).filter(user=agent)
    profile = locked.first()
    if profile is None:  # made once, on the agent's first presence or connection
        AgentProfile.objects.get_or_create(user=agent)
        profile = locked.get()
    profile.user = agent
    return profile


def _change(profile: AgentProfile, *, presence: str, away_reason: str, now: datetime) -> AgentPresence | None:
    """Under the profile's lock: the new presence saved and pushed, offers withdrawn or made. Returns what was
    pushed; None when nothing changed."""
    away_reason = away_reason.strip() if presence == Presence.AWAY else ""
    if (profile.presence, profile.away_reason) == (presence, away_reason):
        return None
    if profile.presence != presence:
        profile.presence_changed_at = now
    profile.presence = presence
    profile.away_reason = away_reason
    profile.save(update_fields=["presence", "away_reason", "presence_changed_at"])
    if presence == Presence.AVAILABLE:
        offer_next_items_on_commit(agent_id=profile.user_id)
    else:
        release_offers_of(profile.user)
    shown = presence_of(profile)
    publish_presence(agent=profile.user, presence=shown)
    return shown


def publish_loads_on_commit(agent_ids: Collection[int]) -> None:
    """Once the caller commits, a Celery task per agent pushes their load (`publish_load_after_change`), so the
    request that moved it neither reads nor pushes it; a burst of changes for one agent enqueues one task while it
    waits. A push is a hint: with the broker down, the next change (or a reload) shows the load."""
    for agent_id in sorted(agent_ids):
        enqueue_task_on_commit_once(publish_load_task, key=_load_key(agent_id), agent_id=agent_id)


def publish_load_after_change(*, agent_id: int) -> None:
    """The task `publish_loads_on_commit` enqueued: a change committed from now on enqueues another."""
    task_started(_load_key(agent_id))
    publish_loads([agent_id])


def _load_key(agent_id: int) -> str:
    return f"routing.load:agent={agent_id}"


def publish_loads(agent_ids: Collection[int]) -> None:
    """Each agent's presence pushed again, with the load that just moved (a conversation taken, closed, put on hold
    or handed on): their workspace's top bar and the supervisors' view follow, whichever path moved it."""
    profiles = AgentProfile.objects.select_related("user").filter(user_id__in=list(agent_ids)).order_by("pk")
    for profile in profiles:
        publish_presence(agent=profile.user, presence=presence_of(profile))


def presence_of(profile: AgentProfile) -> AgentPresence:
    """The agent as the presence push shows them (read with `user`)."""
    user = profile.user
    return {
        "id": user.pk,
        "name": person_name(user),
        "presence": profile.presence,
        "away_reason": profile.away_reason,
        "since": profile.presence_changed_at,
        "load": agent_load(user),
        "capacity": capacity_of(profile.capacity, routing_configuration()),
    }


def record_connection_opened(*, user: AbstractBaseUser, connection_id: str, server: LiveServer) -> None:
    """A workspace connection of this user opened on `server` (any web server process): not disconnected any more.
    The server vouches for it first, in a statement of its own: a server's row is never locked under a profile's."""
    _vouch(server)
    with transaction.atomic():
        _locked_profile(user)  # openings and closings of one agent in turn: the last one out is seen right
        WorkspaceConnection.objects.get_or_create(
            connection_id=connection_id, defaults={"user": user, "server": server.name}
        )
        AgentProfile.objects.filter(user=user).update(disconnected_since=None)


def record_connection_closed(*, user: AbstractBaseUser, connection_id: str) -> None:
    """One closed; the last to close starts the grace period."""
    with transaction.atomic():
        _locked_profile(user)
        WorkspaceConnection.objects.filter(connection_id=connection_id).delete()
        _disconnected_unless_connected(user.pk, since=timezone.now())


def record_server_alive(*, server: LiveServer, connections: dict[str, int], as_of: datetime) -> None:
    """A heartbeat: the server vouches for a while longer, and its record is made to match what it held at `as_of`:
    a connection discarded meanwhile (the server was taken for lost while the database was away) is back, one whose
    closing was never recorded is closed. One opened after `as_of` is left alone."""
    _vouch(server)
    recorded = dict(WorkspaceConnection.objects.filter(server=server.name).values_list("connection_id", "opened_at"))
    User = get_user_model()
    for connection_id in connections.keys() - recorded.keys():
        user = User.objects.filter(pk=connections[connection_id]).first()
        if user is not None:
            record_connection_opened(user=user, connection_id=connection_id, server=server)
    for connection_id, opened_at in recorded.items():
        if connection_id not in connections and opened_at <= as_of:
            gone = WorkspaceConnection.objects.filter(connection_id=connection_id).select_related("user").first()
            if gone is not None:
                record_connection_closed(user=gone.user, connection_id=connection_id)


def _vouch(server: LiveServer) -> None:
    WorkspaceServer.objects.bulk_create(
        [WorkspaceServer(name=server.name, alive_until=server.alive_until)],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["alive_until"],
    )


def _disconnected_unless_connected(user_id: int, *, since: datetime) -> None:
    """Under the agent's profile lock: with no connection left, their grace period runs from `since`."""
    if not WorkspaceConnection.objects.filter(user_id=user_id).exists():
        AgentProfile.objects.filter(user_id=user_id, disconnected_since=None).update(disconnected_since=since)


def discard_connections_of_lost_servers(*, now: datetime) -> int:
    """The connections of server processes that stopped vouching for them (killed: their sockets never closed)
    are gone since the server's time ran out; an agent left with none starts their grace period then. Returns how
    many connections were discarded. A server that comes back records what it holds again with its next heartbeat."""
    alive = WorkspaceServer.objects.filter(alive_until__gte=now).values("name")
    lost = WorkspaceConnection.objects.exclude(server__in=alive)
    until = dict(WorkspaceServer.objects.filter(alive_until__lt=now).values_list("name", "alive_until"))
    discarded = 0
    for user in get_user_model().objects.filter(pk__in=lost.values("user_id")).order_by("pk"):
        with transaction.atomic():
            _locked_profile(user)
            theirs = list(lost.filter(user=user).values_list("pk", "server"))
            WorkspaceConnection.objects.filter(pk__in=[pk for pk, _ in theirs]).delete()
            since = min((until.get(server, now) for _, server in theirs), default=now)
            _disconnected_unless_connected(user.pk, since=since)
        discarded += len(theirs)
    WorkspaceServer.objects.filter(alive_until__lt=now).exclude(
        name__in=WorkspaceConnection.objects.values("server")
    ).delete()  # unless it vouched again meanwhile
    return discarded


def set_lost_agents_offline(*, now: datetime | None = None) -> int:
    """Agents whose every connection has been gone longer than the grace period become offline (their offers go
    back to the queue); returns how many. Each under its own lock, checked again there: one who came back is left."""
    now = now or timezone.now()
    discard_connections_of_lost_servers(now=now)
    cutoff = now - routing_configuration().presence_grace
    lost = AgentProfile.objects.filter(disconnected_since__lte=cutoff).exclude(presence=Presence.OFFLINE)
    count = 0
    for user_id in list(lost.values_list("user_id", flat=True)):
        with transaction.atomic():
            profile = lost.select_for_update(of=("self",)).select_related("user").filter(user_id=user_id).first()
            if profile is not None:
                _change(profile, presence=Presence.OFFLINE, away_reason="", now=now)
                count += 1
    return count
