"""Routing's reads: the supervisor's snapshot and an interaction's routing history, each in a fixed number of
queries however many items wait, agents work or events were recorded."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from interactions.models import OPEN_STATES, Direction, Interaction
from interactions.people import person_name
from interactions.roles import AGENT
from routing.configuration import routing_configuration
from routing.models import (
    ACTIVE_WORK_ITEM_STATES,
    Presence,
    Queue,
    WorkItem,
    WorkItemEvent,
    WorkItemState,
    WrapUp,
)
from routing.policies.capacity import capacity_of, queues_served, with_usage
from routing.services.waiting_time import expected_wait, recent_waits


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueSnapshot:
    id: int
    key: str
    name: str
    priority: int
    waiting: int  # queued or offered: nobody has it yet
    offered: int  # of those, offered to an agent who has not answered yet
    waiting_since: datetime | None  # the customer waiting longest for a person started then
    expected_wait: timedelta | None  # for a customer joining now; None: too little recent history


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentSnapshot:
    id: int
    name: str
    username: str
    presence: str
    presence_label: str
    away_reason: str
    presence_changed_at: datetime | None  # None: never set (no routing profile yet), so offline since ever
    load: int
    capacity: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ConversationSnapshot:
    id: int
    number: str
    customer: str
    agent_id: int
    agent: str
    queue_key: str
    queue: str
    state: str
    state_label: str
    last_customer_message_at: datetime | None
    awaiting_reply: bool  # the customer wrote last


@dataclass(frozen=True, slots=True, kw_only=True)
class SupervisorSnapshot:
    generated_at: datetime  # the server's clock, so a browser with a wrong clock still shows true durations
    queues: list[QueueSnapshot]
    agents: list[AgentSnapshot]
    conversations: list[ConversationSnapshot]


def supervisor_snapshot() -> SupervisorSnapshot:
    """Six queries (five with nobody available): the queues, their active items counted together, the agents with
    their load, the queues the available ones serve, the queues' recent waits, the conversations in progress."""
    generated_at = timezone.now()
    queues = list(Queue.objects.order_by("priority", "name"))
    queue_names = {queue.key: queue.name for queue in queues}
    agents = agent_rows()
    available = [row.id for row in agents if row.presence == Presence.AVAILABLE]
    serving = Counter(queue_id for queue_ids in queues_served(agent_ids=available).values() for queue_id in queue_ids)
    return SupervisorSnapshot(
        generated_at=generated_at,
        queues=_queue_rows(queues, serving=serving, now=generated_at),
        agents=agents,
        conversations=_conversation_rows(queue_names),
    )


def _queue_rows(queues: list[Queue], *, serving: Counter, now: datetime) -> list[QueueSnapshot]:
    # Only the active items are read (each state has its partial index), never a queue's whole history.
    counts = {
        row["queue_id"]: row
        for row in WorkItem.objects.filter(state__in=ACTIVE_WORK_ITEM_STATES)
        .order_by()
        .values("queue_id")
        .annotate(
            waiting=Count("id"),
            offered=Count("id", filter=Q(state=WorkItemState.OFFERED)),
            waiting_since=Min("waiting_since"),
        )
    }
    waits = recent_waits(queue_ids=[queue.pk for queue in queues], now=now)
    empty = {"waiting": 0, "offered": 0, "waiting_since": None}
    return [
        QueueSnapshot(
            id=queue.pk,
            key=queue.key,
            name=queue.name,
            priority=queue.priority,
            waiting=counts.get(queue.pk, empty)["waiting"],
            offered=counts.get(queue.pk, empty)["offered"],
            waiting_since=counts.get(queue.pk, empty)["waiting_since"],
            expected_wait=expected_wait(
                waits.get(queue.pk, []),
                position=counts.get(queue.pk, empty)["waiting"] + 1,
                serving=serving[queue.pk],
            ),
        )
        for queue in queues
    ]


PRESENCE_ORDER = {Presence.AVAILABLE: 0, Presence.AWAY: 1, Presence.OFFLINE: 2}


def agents() -> QuerySet:
    """The users in the agent role who may sign in."""
    return get_user_model().objects.filter(groups__name=AGENT, is_active=True)


def agent_rows(*, agent_ids: list[int] | None = None) -> list[AgentSnapshot]:
    """Every agent (or those of `agent_ids`) with presence and load, in one query: available first, then away,
    then offline, each by name."""
    configuration = routing_configuration()
    users = with_usage(agents().select_related("routing_profile"), configuration=configuration)
    if agent_ids is not None:
        users = users.filter(pk__in=agent_ids)
    rows = []
    for user in users:
        profile = getattr(user, "routing_profile", None)
        presence = Presence(profile.presence) if profile else Presence.OFFLINE
        rows.append(
            AgentSnapshot(
                id=user.pk,
                name=person_name(user),
                username=user.get_username(),
                presence=presence.value,
                presence_label=presence.label,
                away_reason=profile.away_reason if profile else "",
                presence_changed_at=profile.presence_changed_at if profile else None,
                load=user.load,
                capacity=capacity_of(profile.capacity if profile else None, configuration),
            )
        )
    return sorted(rows, key=lambda row: (PRESENCE_ORDER[row.presence], row.name.casefold(), row.id))


def _conversation_rows(queue_names: dict[str, str]) -> list[ConversationSnapshot]:
    """The assigned open conversations, the customer who has waited longest since writing first."""
    interactions = (
        Interaction.objects.filter(state__in=OPEN_STATES, assigned_to__isnull=False)
        .select_related("channel_user", "assigned_to")
        .order_by("channel_user__last_inbound_at", "pk")
    )
    return [
        ConversationSnapshot(
            id=interaction.pk,
            number=interaction.number or "",
            customer=interaction.channel_user.display_name or interaction.channel_user.external_id,
            agent_id=interaction.assigned_to_id,
            agent=person_name(interaction.assigned_to),
            queue_key=interaction.queue,
            queue=queue_names.get(interaction.queue, interaction.queue),
            state=interaction.state,
            state_label=interaction.get_state_display(),
            last_customer_message_at=interaction.channel_user.last_inbound_at,
            awaiting_reply=interaction.last_message_preview.get("direction") == Direction.INBOUND,
        )
        for interaction in interactions
    ]


@dataclass(frozen=True, slots=True, kw_only=True)
class RoutingHistoryEntry:
    at: datetime
    kind: str
    label: str
    actor: str | None  # None: nobody recorded (the system)
    agent: str | None  # who it concerns: offered to, rejected by, transferred or reassigned to
    queue: str | None
    reason: str
    note: str


CLOSED = "closed"
WRAPPED_UP = "wrapped_up"


def routing_history(interaction: Interaction) -> list[RoutingHistoryEntry]:
    """What happened to the interaction on its way to people, oldest first, ending with its closing and the agent's
    wrap-up: two queries (give it the interaction read with `closed_by` and `assigned_to`)."""
    events = WorkItemEvent.objects.filter(interaction=interaction).select_related("actor", "agent", "queue")
    entries = [
        RoutingHistoryEntry(
            at=event.at,
            kind=event.kind,
            label=event.get_kind_display(),
            actor=person_name(event.actor),
            agent=person_name(event.agent),
            queue=event.queue.name if event.queue else None,
            reason=event.reason,
            note=event.note,
        )
        for event in events.order_by("at", "pk")
    ]
    if interaction.closed_at is not None:
        entries.append(
            RoutingHistoryEntry(
                at=interaction.closed_at,
                kind=CLOSED,
                label=interaction.get_state_display(),
                actor=person_name(interaction.closed_by),
                agent=person_name(interaction.assigned_to),
                queue=None,
                reason=interaction.state_reason,
                note="",
            )
        )
    wrap_up = WrapUp.objects.filter(interaction=interaction).select_related("agent", "resolution_code").first()
    if wrap_up is not None:
        entries.append(
            RoutingHistoryEntry(
                at=wrap_up.at,
                kind=WRAPPED_UP,
                label="Wrapped up late" if wrap_up.late else "Wrapped up",
                actor=person_name(wrap_up.agent),
                agent=None,
                queue=None,
                reason=wrap_up.resolution_code.text,
                note=wrap_up.notes,
            )
        )
    return entries
