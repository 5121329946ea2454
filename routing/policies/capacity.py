"""Who may take which work, and who takes it first.

An agent's load is the open interactions assigned to them (on-hold ones too when the configuration says so); their
capacity is their profile's, or the default. An agent is eligible for a work item when they serve its queue (named
in `Queue.agents` or in one of `Queue.groups`), have every skill the queue requires, are available, and their load
plus their pending offers is under their capacity.

The order: the oldest item of the highest priority (lowest `QueuePriority` number) goes first, to its preferred
agent when they are eligible (a preference ends when that agent lets an offer of it go: rejected, timed out or
withdrawn, in `services/assignment.py`), else to the eligible agent with the
most free capacity, ties to whoever has waited longest since their last offer; never straight back to the agent who
last had it while anyone else can take it.
`plan_offers` holds that order and reads nothing; the functions below it count what it needs, a few queries
whatever the number of agents or items waiting.
"""

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, lru_cache, reduce

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.expressions import Col
from django.db.models.functions import Coalesce

from interactions.models import Interaction
from routing.configuration import RoutingConfiguration, routing_configuration
from routing.models import AgentProfile, Presence, Queue, WorkItem, WorkItemState

# Counted by name, so that a state another part of the desk adds (on hold) counts once it exists.
HELD_STATES = ("new", "work_in_progress")
ON_HOLD_STATE = "on_hold"
NEVER = datetime.min.replace(tzinfo=UTC)


def states_counted_toward_capacity(configuration: RoutingConfiguration) -> tuple[str, ...]:
    if configuration.count_on_hold_toward_capacity:
        return (*HELD_STATES, ON_HOLD_STATE)
    return HELD_STATES


def capacity_of(profile_capacity: int | None, configuration: RoutingConfiguration) -> int:
    return configuration.default_capacity if profile_capacity is None else profile_capacity


@dataclass(slots=True)
class AgentStanding:
    """An agent as the planner sees them; `pending` and `last_offer_at` move as the plan hands out offers."""

    agent_id: int
    capacity: int
    load: int
    pending: int
    last_offer_at: datetime | None
    queue_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def free(self) -> int:
        return self.capacity - self.load - self.pending

    def may_take(self, queue_id: int) -> bool:
        return queue_id in self.queue_ids and self.free > 0


@dataclass(frozen=True, slots=True)
class WaitingItem:
    id: int
    queue_id: int
    preferred_agent_id: int | None = None
    last_offered_to_id: int | None = None


def offer_order(standing: AgentStanding) -> tuple:
    """Most free capacity first; then whoever has waited longest since their last offer (never offered: longest)."""
    return (-standing.free, standing.last_offer_at or NEVER, standing.agent_id)


def plan_offers(
    items: Sequence[WaitingItem],
    *,
    takers: Sequence[AgentStanding],
    others: Sequence[AgentStanding] = (),
    now: datetime,
) -> list[tuple[WaitingItem, AgentStanding]]:
    """Pairs items (in offer order) with agents. Only `takers` receive offers (their rows are locked and their
    standings fresh); `others` serve some of these queues too and count only to decide whether someone else could
    take an item, so that it is not handed straight back to its last agent, nor taken from an eligible preferred one.
    An item whose preferred agent is among `others` is left waiting: their own round offers it to them.
    """
    taker_ids = {standing.agent_id for standing in takers}
    planned = []
    for item in items:
        eligible = [standing for standing in (*takers, *others) if standing.may_take(item.queue_id)]
        preferred = next((s for s in eligible if s.agent_id == item.preferred_agent_id), None)
        if preferred is not None:
            chosen = preferred if preferred.agent_id in taker_ids else None
        else:
            someone_else = [s for s in eligible if s.agent_id != item.last_offered_to_id]
            candidates = [s for s in (someone_else or eligible) if s.agent_id in taker_ids]
            chosen = min(candidates, key=offer_order) if candidates else None
        if chosen is not None:
            chosen.pending += 1
            chosen.last_offer_at = now
            planned.append((item, chosen))
    return planned


def agent_load(agent: AbstractBaseUser) -> int:
    """The open interactions an agent holds, as capacity counts them."""
    counted = states_counted_toward_capacity(routing_configuration())
    return Interaction.objects.filter(assigned_to=agent, state__in=counted).count()


def queues_served(
    *, agent_ids: Collection[int] | None = None, queue_ids: Collection[int] | None = None
) -> dict[int, set[int]]:
    """The queues each agent serves and has the skills for, by agent id (limited to the agents and queues given).
    One statement in plain SQL: it is asked on every offering round, and Django took longer to build it than the
    database to answer."""
    sql, parameters = [_served_sql()], []
    for column, ids in (("agent_id", agent_ids), ("queue_id", queue_ids)):
        if ids is not None:
            ids = list(ids)
            if not ids:
                return {}
            sql.append(f"AND m.{column} IN ({', '.join(['%s'] * len(ids))})")
            parameters += ids
    served: dict[int, set[int]] = defaultdict(set)
    with connection.cursor() as cursor:
        cursor.execute(" ".join(sql), parameters)
        for agent_id, queue_id in cursor.fetchall():
            served[agent_id].add(queue_id)
    return dict(served)


@cache
def _served_sql() -> str:
    """Memberships `m (agent_id, queue_id)`, named in the queue or through a group, whose queue requires no skill
    the agent lacks."""
    named, groups = Queue._meta.get_field("agents"), Queue._meta.get_field("groups")
    user_groups = get_user_model()._meta.get_field("groups")
    required, held = Queue._meta.get_field("required_skills"), AgentProfile._meta.get_field("skills")
    return f"""
        SELECT m.agent_id, m.queue_id FROM (
            SELECT {named.m2m_reverse_name()} AS agent_id, {named.m2m_column_name()} AS queue_id
            FROM {named.m2m_db_table()}
            UNION
            SELECT ug.{user_groups.m2m_column_name()}, qg.{groups.m2m_column_name()}
            FROM {groups.m2m_db_table()} qg
            JOIN {user_groups.m2m_db_table()} ug ON ug.{user_groups.m2m_reverse_name()} = qg.{groups.m2m_reverse_name()}
        ) m
        WHERE NOT EXISTS (
            SELECT 1 FROM {required.m2m_db_table()} r
            WHERE r.{required.m2m_column_name()} = m.queue_id AND NOT EXISTS (
                SELECT 1 FROM {held.m2m_db_table()} h
                JOIN {AgentProfile._meta.db_table} p ON p.id = h.{held.m2m_column_name()}
                WHERE p.user_id = m.agent_id AND h.{held.m2m_reverse_name()} = r.{required.m2m_reverse_name()}
            )
        )"""


def with_usage(users: QuerySet, *, configuration: RoutingConfiguration | None = None) -> QuerySet:
    """Users annotated with `load` and `pending` (offers awaiting their answer), counted in one statement: an offer
    accepted meanwhile moves from pending to load at once, never counted twice or not at all."""
    configuration = configuration or routing_configuration()
    load = (
        Interaction.objects.filter(assigned_to=OuterRef("pk"), state__in=states_counted_toward_capacity(configuration))
        .order_by()
        .values("assigned_to")
        .annotate(count=Count("pk"))
        .values("count")
    )
    pending = (
        WorkItem.objects.filter(offered_to=OuterRef("pk"), state=WorkItemState.OFFERED)
        .order_by()
        .values("offered_to")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return users.annotate(
        load=Coalesce(Subquery(load, output_field=IntegerField()), Value(0)),
        pending=Coalesce(Subquery(pending, output_field=IntegerField()), Value(0)),
    )


def free_capacity(agent: AbstractBaseUser) -> int:
    """Capacity left for another conversation, whatever the agent's presence (a supervisor's reassignment)."""
    configuration = routing_configuration()
    capacity, load, pending = (
        with_usage(get_user_model().objects.filter(pk=agent.pk), configuration=configuration)
        .values_list("routing_profile__capacity", "load", "pending")
        .get()
    )
    return capacity_of(capacity, configuration) - load - pending


@lru_cache(maxsize=128)
def _standings_sql(states: int, agents: int) -> str:
    """The agents' profiles with `load` and `pending` counted as `with_usage` counts them, in one statement (an
    offer accepted meanwhile is one or the other, never both or neither); plain SQL because it runs in every
    offering round and Django took longer to build it than the database to answer."""
    user = get_user_model()._meta.db_table
    interaction, item = Interaction._meta.db_table, WorkItem._meta.db_table
    return f"""
        SELECT p.user_id, p.capacity, p.last_offer_at,
            (SELECT COUNT(*) FROM {interaction} i
             WHERE i.assigned_to_id = p.user_id AND i.state IN ({", ".join(["%s"] * states)})) AS load,
            (SELECT COUNT(*) FROM {item} w WHERE w.offered_to_id = p.user_id AND w.state = %s) AS pending
        FROM {AgentProfile._meta.db_table} p JOIN {user} u ON u.id = p.user_id
        WHERE p.user_id IN ({", ".join(["%s"] * agents)}) AND u.is_active AND p.presence = %s"""


def agent_standings(
    *, served: dict[int, set[int]], configuration: RoutingConfiguration | None = None
) -> list[AgentStanding]:
    """The available, active agents among `served` with their capacity, load and pending offers."""
    configuration = configuration or routing_configuration()
    if not served:
        return []
    states = states_counted_toward_capacity(configuration)
    ids = list(served)
    with connection.cursor() as cursor:
        cursor.execute(
            _standings_sql(len(states), len(ids)), [*states, WorkItemState.OFFERED, *ids, Presence.AVAILABLE]
        )
        rows = cursor.fetchall()
    last_offer_at = Col(AgentProfile._meta.db_table, AgentProfile._meta.get_field("last_offer_at"))
    # As Django's compiler converts a column: the backend's (SQLite's naive UTC made aware), then the field's.
    converters = connection.ops.get_db_converters(last_offer_at) + last_offer_at.get_db_converters(connection)
    return [
        AgentStanding(
            agent_id=agent_id,
            capacity=capacity_of(capacity, configuration),
            load=load,
            pending=pending,
            last_offer_at=reduce(lambda value, convert: convert(value, last_offer_at, connection), converters, at),
            queue_ids=frozenset(served[agent_id]),
        )
        for agent_id, capacity, at, load, pending in rows
    ]
