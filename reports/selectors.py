"""The report's figures, one SQL statement per kind of fact, grouped by queue and agent together and rolled up here
into the queue rows, the agent rows and the total: the number of queries is the same for a day as for a year, and
each statement reads only the rows of its period through an index (bench/reports.py measures them at a million
messages). Written with the ORM (and one portable outer SUM), so SQLite, which runs the demo, answers them too.

What each figure means, in the words the page uses:
- A conversation is counted in the period it was opened in; its queue is the one it is (or was last) in, its agent
  the one it is (or was last) assigned to.
- First response: from the customer's first message to the first reply after it. "First reply" counts the virtual
  agent's answers and agents' messages; "first agent reply" only a person's. Automatic notices (waiting, out of
  hours, idle reminders) are neither.
- Handle time: from when an agent first took the conversation (accepted its work item) until it closed; closed
  conversations only.
- Time in queue: from when a work item was queued until an agent accepted it, for items queued in the period.
- Abandoned: a work item that ended without being accepted and without a transfer taking its place (the
  conversation closed while the customer waited).
- Contained: a conversation the virtual agent answered that closed without ever being queued for a person.
- Opt-ins and opt-outs: consent records made in the period, per queue through the customer's message that made
  them (a keyword), per agent by who recorded them.
- Failed messages: outbound messages whose failure was reported in the period, by the channel's error code.
"""

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, DurationField, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDate

from consent.models import ConsentRecord, ConsentStatus
from interactions.models import CLOSED_STATES, Direction, Interaction, InteractionState, Message, MessageStatus
from reports.period import ReportPeriod
from routing.models import Queue, WorkItem, WorkItemState
from virtual_agent.front_door import VIRTUAL_AGENT

TOTAL = "total"
QUEUE = "queue"
AGENT = "agent"
STATES = [state for state, _ in InteractionState.choices]


@dataclass(slots=True)
class Breakdown:
    """One row of the queue or agent table (or their total). Durations in seconds; None when nothing was measured."""

    dimension: str  # TOTAL, QUEUE or AGENT
    key: str  # the queue's key ("" for none), the agent's id, "" for the total
    label: str
    conversations: int = 0
    states: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    first_reply_seconds: float | None = None
    first_agent_reply_seconds: float | None = None
    handle_seconds: float | None = None
    answered_by_virtual_agent: int = 0
    contained: int = 0
    queued: int = 0
    accepted: int = 0
    time_in_queue_seconds: float | None = None
    abandoned: int = 0
    opt_ins: int = 0
    opt_outs: int = 0
    failed_messages: int = 0

    @property
    def abandonment_rate(self) -> float | None:
        return self.abandoned / self.queued if self.queued else None

    @property
    def containment_rate(self) -> float | None:
        return self.contained / self.answered_by_virtual_agent if self.answered_by_virtual_agent else None


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    conversations: int
    states: dict[str, int]
    opt_ins: int
    opt_outs: int


@dataclass(frozen=True, slots=True)
class Failure:
    error_code: str
    error_title: str
    messages: int


@dataclass(frozen=True, slots=True)
class DeskReport:
    period: ReportPeriod
    total: Breakdown
    queues: list[Breakdown]
    agents: list[Breakdown]
    days: list[Day]
    failures: list[Failure]


class _Rows:
    """The breakdown rows as the facts fill them in, made on first mention. Each fact comes grouped by queue and
    agent together (a few hundred groups at most), and is rolled up here into the queue rows, the agent rows and the
    total, as GROUPING SETS would, but in one portable query (SQLite runs the demo)."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Breakdown] = {}
        self.sums: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0.0, 0])

    def get(self, dimension: str, key: object) -> Breakdown:
        key = "" if key is None else str(key)
        if (dimension, key) not in self.rows:
            label = "All" if dimension == TOTAL else ""  # the others are named once all are known (_labelled)
            self.rows[(dimension, key)] = Breakdown(dimension=dimension, key=key, label=label)
        return self.rows[(dimension, key)]

    def each(self, *, queue: str | None, agent: int | None) -> Iterator[Breakdown]:
        """The total, the queue's row and the agent's, when there is a queue and an agent."""
        yield self.get(TOTAL, "")
        if queue is not None:
            yield self.get(QUEUE, queue)
        if agent is not None:
            yield self.get(AGENT, agent)

    def add_duration(self, row: Breakdown, name: str, total: float | timedelta | None, count: int) -> None:
        """`total`: the group's sum, in seconds or as a duration, over `count` measurements."""
        if total is not None and count:
            seconds = total.total_seconds() if isinstance(total, timedelta) else float(total)
            self.sums[(row.dimension, row.key, name)][0] += seconds
            self.sums[(row.dimension, row.key, name)][1] += count

    def averages(self) -> None:
        for (dimension, key, name), (total, count) in self.sums.items():
            setattr(self.rows[(dimension, key)], f"{name}_seconds", total / count)


@contextmanager
def _report_queries() -> Iterator[None]:
    """On PostgreSQL, without JIT compilation: these statements walk indexes for a few thousand rows, and compiling
    them (100 to 200 ms each, measured by bench/reports.py) costs more than it ever saves."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def _in_period(period: ReportPeriod, field_name: str) -> Q:
    return Q(**{f"{field_name}__gte": period.starts_at, f"{field_name}__lt": period.ends_at})


def _conversation_facts(period: ReportPeriod, rows: _Rows) -> None:
    """Per conversation opened in the period: its first customer message, the first reply after it and the first
    by a person, each the first entry of a walk along a covering index (reports/migrations/0001), so a
    conversation costs a few index probes however long it is; whether the virtual agent answered (it answers first
    when it answers at all: it takes a conversation from its start); its first acceptance and whether it was ever
    queued. Grouped by queue and agent."""
    timeline = Message.objects.filter(interaction=OuterRef("pk")).order_by("sequence")
    first_inbound = timeline.filter(direction=Direction.INBOUND)
    after_it = timeline.filter(direction=Direction.OUTBOUND, sequence__gt=OuterRef("first_inbound_sequence"))
    replies = after_it.filter(Q(author__isnull=False) | Q(content__automated=VIRTUAL_AGENT))
    accepted = WorkItem.objects.filter(interaction=OuterRef("pk"), accepted_at__isnull=False).order_by("accepted_at")
    conversations = (
        Interaction.objects.filter(_in_period(period, "opened_at"))
        .annotate(
            first_inbound_sequence=Subquery(first_inbound.values("sequence")[:1]),
            first_inbound_at=Subquery(first_inbound.values("sent_at")[:1]),
            first_reply_at=Subquery(replies.values("sent_at")[:1]),
            first_reply_author=Subquery(replies.values("author")[:1], output_field=IntegerField()),
            first_agent_reply_at=Subquery(after_it.filter(author__isnull=False).values("sent_at")[:1]),
            accepted_at=Subquery(accepted.values("accepted_at")[:1]),
            queued=Exists(WorkItem.objects.filter(interaction=OuterRef("pk"))),
        )
        .values(
            "queue", "assigned_to", "state", "closed_at", "first_inbound_at", "first_reply_at", "first_reply_author",
            "first_agent_reply_at", "accepted_at", "queued",
        )
        .order_by()
    )  # fmt: skip
    inner, params = conversations.query.sql_with_params()
    by_bot = "c.first_reply_at IS NOT NULL AND c.first_reply_author IS NULL"
    closed = ", ".join(f"'{state}'" for state in CLOSED_STATES)  # the model's own choices, never input
    # The facts are read once per conversation in the inner query, then summed per group. MATERIALIZED keeps the
    # planner from folding it into the aggregates, where each mention of a fact would run its probe again (as
    # aggregating over the annotations in the ORM would). PostgreSQL 12+ and SQLite 3.35+ understand it.
    sql = f"""
        WITH c AS MATERIALIZED ({inner})
        SELECT c.queue, c.assigned_to, c.state, COUNT(*),
               SUM({_seconds_between("c.first_reply_at", "c.first_inbound_at")}), COUNT(c.first_reply_at),
               SUM({_seconds_between("c.first_agent_reply_at", "c.first_inbound_at")}), COUNT(c.first_agent_reply_at),
               SUM({_seconds_between("c.closed_at", "c.accepted_at")}),
               SUM(CASE WHEN c.closed_at IS NOT NULL AND c.accepted_at IS NOT NULL THEN 1 ELSE 0 END),
               SUM(CASE WHEN {by_bot} THEN 1 ELSE 0 END),
               SUM(CASE WHEN {by_bot} AND NOT c.queued AND c.state IN ({closed}) THEN 1 ELSE 0 END)
        FROM c
        GROUP BY c.queue, c.assigned_to, c.state
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        facts = cursor.fetchall()
    for queue, agent, state, count, *durations, by_virtual_agent, contained in facts:
        first_reply, first_replies, first_agent_reply, first_agent_replies, handle, handled = durations
        for row in rows.each(queue=queue, agent=agent):
            row.conversations += count
            row.states[state] += count
            row.answered_by_virtual_agent += by_virtual_agent
            row.contained += contained
            rows.add_duration(row, "first_reply", first_reply, first_replies)
            rows.add_duration(row, "first_agent_reply", first_agent_reply, first_agent_replies)
            rows.add_duration(row, "handle", handle, handled)


def _seconds_between(later: str, earlier: str) -> str:
    """SQL for the seconds from one timestamp column to another, in the dialect of the database in use."""
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"  # SQLite, which keeps them as text


def _work_item_facts(period: ReportPeriod, rows: _Rows) -> None:
    """Per work item queued in the period: accepted or abandoned (ended unaccepted, and no item after it: no
    transfer took its place), and how long it waited. The agent's row counts the items they accepted."""
    later = WorkItem.objects.filter(interaction=OuterRef("interaction"), pk__gt=OuterRef("pk"))
    facts = (
        WorkItem.objects.filter(_in_period(period, "queued_at"))
        .annotate(superseded=Exists(later))
        .values("queue__key", "accepted_by")
        .annotate(
            count=Count("pk"),
            accepted=Count("accepted_at"),
            waited=Sum(F("accepted_at") - F("queued_at"), output_field=DurationField()),
            abandoned=Count("pk", filter=Q(state=WorkItemState.CANCELLED, accepted_at__isnull=True, superseded=False)),
        )
        .order_by()
    )
    for fact in facts:
        for row in rows.each(queue=fact["queue__key"], agent=fact["accepted_by"]):
            if row.dimension != AGENT:  # queueing and abandoning are the queue's; an agent accepts
                row.queued += fact["count"]
                row.abandoned += fact["abandoned"]
            row.accepted += fact["accepted"]
            rows.add_duration(row, "time_in_queue", fact["waited"], fact["accepted"])


def _consent_facts(period: ReportPeriod, rows: _Rows) -> dict[date, dict[str, int]]:
    """Records made in the period, per queue through the customer's message that made them (a keyword), per agent
    by who recorded them, and per day; returns the days."""
    facts = (
        ConsentRecord.objects.filter(_in_period(period, "recorded_at"))
        .annotate(day=TruncDate("recorded_at", tzinfo=period.zone))
        .values("message__interaction__queue", "recorded_by", "day", "status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    by_day: dict[date, dict[str, int]] = defaultdict(lambda: {"opt_ins": 0, "opt_outs": 0})
    for fact in facts:
        name = "opt_ins" if fact["status"] == ConsentStatus.OPTED_IN else "opt_outs"
        by_day[fact["day"]][name] += fact["count"]
        for row in rows.each(queue=fact["message__interaction__queue"], agent=fact["recorded_by"]):
            setattr(row, name, getattr(row, name) + fact["count"])
    return by_day


def _failure_facts(period: ReportPeriod, rows: _Rows) -> list[Failure]:
    """Outbound messages whose failure was reported in the period, through the partial index of failed messages
    by time; per queue and per author (an automatic message has none), and per error code."""
    facts = (
        Message.objects.filter(
            _in_period(period, "status_at"), status=MessageStatus.FAILED, direction=Direction.OUTBOUND
        )
        .values("interaction__queue", "author", "error_code", "error_title")
        .annotate(count=Count("pk"))
        .order_by()
    )
    by_code: dict[str, list] = {}
    for fact in facts:
        code = by_code.setdefault(fact["error_code"], [fact["error_title"], 0])
        code[0] = code[0] or fact["error_title"]
        code[1] += fact["count"]
        for row in rows.each(queue=fact["interaction__queue"], agent=fact["author"]):
            row.failed_messages += fact["count"]
    return sorted(
        (Failure(error_code=code, error_title=title, messages=count) for code, (title, count) in by_code.items()),
        key=lambda failure: (-failure.messages, failure.error_code),
    )


def _daily_conversations(period: ReportPeriod) -> dict[date, dict[str, int]]:
    facts = (
        Interaction.objects.filter(_in_period(period, "opened_at"))
        .annotate(day=TruncDate("opened_at", tzinfo=period.zone))
        .values("day", "state")
        .annotate(count=Count("pk"))
        .order_by()
    )
    daily: dict[date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATES, 0))
    for fact in facts:
        daily[fact["day"]][fact["state"]] = fact["count"]
    return daily


def desk_report(period: ReportPeriod) -> DeskReport:
    """The whole report in the same few queries whatever the period and the number of queues and agents."""
    rows = _Rows()
    with _report_queries():
        _conversation_facts(period, rows)
        _work_item_facts(period, rows)
        consent_by_day = _consent_facts(period, rows)
        failures = _failure_facts(period, rows)
        daily = _daily_conversations(period)
        rows.averages()
        queues, agents = _labelled(rows, QUEUE), _labelled(rows, AGENT)
    return DeskReport(
        period=period,
        total=rows.get(TOTAL, ""),
        queues=queues,
        agents=agents,
        days=[
            Day(
                day=day,
                conversations=sum(daily[day].values()),
                states=daily[day],
                opt_ins=consent_by_day[day]["opt_ins"],
                opt_outs=consent_by_day[day]["opt_outs"],
            )
            for day in period.days
        ],
        failures=failures,
    )


def _labelled(rows: _Rows, dimension: str) -> list[Breakdown]:
    """The rows of one dimension, named (one query for the queues, one for the agents) and sorted by name."""
    chosen = [row for (kind, _), row in rows.rows.items() if kind == dimension]
    if dimension == QUEUE:
        names = dict(Queue.objects.filter(key__in=[row.key for row in chosen]).values_list("key", "name"))
        for row in chosen:
            row.label = names.get(row.key, row.key) if row.key else "No queue (never routed to a person)"
    elif dimension == AGENT:
        users = get_user_model().objects.filter(pk__in=[int(row.key) for row in chosen])
        names = {str(user.pk): user.get_full_name() or user.get_username() for user in users}
        for row in chosen:
            row.label = names.get(row.key, f"User {row.key} (deleted)")
    return sorted(chosen, key=lambda row: row.label.lower())
