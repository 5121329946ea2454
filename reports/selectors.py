"""The report's figures, one SQL statement per kind of fact, each grouped per queue, per agent and in total at once
(GROUPING SETS): the number of queries is the same for a day as for a year, and each statement reads only the rows
of its period through an index (bench/reports.py measures them at a million messages).

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
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db import connection

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


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _rows(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# One count per state, in STATES' order: the states are the model's own choices, never user input.
_STATE_COUNTS = ", ".join(f"count(*) FILTER (WHERE state = '{state}')" for state in STATES)


def _conversation_facts(period: ReportPeriod) -> list[tuple]:
    """Per conversation opened in the period: its first customer message, the first reply after it and the first
    by a person, each the first row of a walk along the unique (interaction, sequence) index, so a conversation
    costs a few index probes however long it is; whether the virtual agent answered (it answers first when it
    answers at all: it takes a conversation from its start); its first acceptance and whether it was ever queued."""
    sql = f"""
        WITH conversation AS (
            SELECT i.queue, i.assigned_to_id AS agent, i.state, i.closed_at,
                   first_in.sent_at AS first_inbound_at, reply.sent_at AS first_reply_at,
                   agent_reply.sent_at AS first_agent_reply_at,
                   coalesce(reply.by_virtual_agent, false) AS by_virtual_agent,
                   work.accepted_at, coalesce(work.items, 0) AS items
            FROM {_table(Interaction)} i
            LEFT JOIN LATERAL (
                SELECT m.sequence, m.sent_at FROM {_table(Message)} m
                WHERE m.interaction_id = i.id AND m.direction = %(inbound)s
                ORDER BY m.sequence LIMIT 1
            ) first_in ON true
            LEFT JOIN LATERAL (
                SELECT m.sent_at, m.author_id IS NULL AS by_virtual_agent FROM {_table(Message)} m
                WHERE m.interaction_id = i.id AND m.sequence > first_in.sequence AND m.direction = %(outbound)s
                  AND (m.author_id IS NOT NULL OR m.content ->> 'automated' = %(bot)s)
                ORDER BY m.sequence LIMIT 1
            ) reply ON true
            LEFT JOIN LATERAL (
                SELECT m.sent_at FROM {_table(Message)} m
                WHERE m.interaction_id = i.id AND m.sequence > first_in.sequence AND m.direction = %(outbound)s
                  AND m.author_id IS NOT NULL
                ORDER BY m.sequence LIMIT 1
            ) agent_reply ON true
            LEFT JOIN LATERAL (
                SELECT min(w.accepted_at) AS accepted_at, count(*) AS items
                FROM {_table(WorkItem)} w WHERE w.interaction_id = i.id
            ) work ON true
            WHERE i.opened_at >= %(start)s AND i.opened_at < %(end)s
        )
        SELECT GROUPING(queue, agent), queue, agent, count(*),
               {_STATE_COUNTS},
               avg(extract(epoch FROM first_reply_at - first_inbound_at)),
               avg(extract(epoch FROM first_agent_reply_at - first_inbound_at)),
               avg(extract(epoch FROM closed_at - accepted_at)),
               count(*) FILTER (WHERE by_virtual_agent),
               count(*) FILTER (WHERE by_virtual_agent AND items = 0 AND state = ANY(%(closed)s))
        FROM conversation
        GROUP BY GROUPING SETS ((queue), (agent), ())
    """
    return _rows(
        sql,
        {
            "start": period.starts_at,
            "end": period.ends_at,
            "inbound": Direction.INBOUND,
            "outbound": Direction.OUTBOUND,
            "bot": VIRTUAL_AGENT,
            "closed": list(CLOSED_STATES),
        },
    )


def _work_item_facts(period: ReportPeriod) -> list[tuple]:
    """Per work item queued in the period: accepted or abandoned, and how long it waited for an agent. Per agent:
    the items they accepted."""
    sql = f"""
        SELECT GROUPING(q.key, w.accepted_by_id), q.key, w.accepted_by_id, count(*),
               count(w.accepted_at),
               avg(extract(epoch FROM w.accepted_at - w.queued_at)),
               count(*) FILTER (
                   WHERE w.state = %(cancelled)s AND w.accepted_at IS NULL AND NOT EXISTS (
                       SELECT 1 FROM {_table(WorkItem)} later
                       WHERE later.interaction_id = w.interaction_id AND later.id > w.id
                   )
               )
        FROM {_table(WorkItem)} w JOIN {_table(Queue)} q ON q.id = w.queue_id
        WHERE w.queued_at >= %(start)s AND w.queued_at < %(end)s
        GROUP BY GROUPING SETS ((q.key), (w.accepted_by_id), ())
    """
    return _rows(sql, {"start": period.starts_at, "end": period.ends_at, "cancelled": WorkItemState.CANCELLED})


def _consent_facts(period: ReportPeriod) -> list[tuple]:
    sql = f"""
        WITH record AS (
            SELECT i.queue, c.recorded_by_id AS agent, (c.recorded_at AT TIME ZONE %(zone)s)::date AS day, c.status
            FROM {_table(ConsentRecord)} c
            LEFT JOIN {_table(Message)} m ON m.id = c.message_id
            LEFT JOIN {_table(Interaction)} i ON i.id = m.interaction_id
            WHERE c.recorded_at >= %(start)s AND c.recorded_at < %(end)s
        )
        SELECT GROUPING(queue, agent, day), queue, agent, day, status, count(*)
        FROM record
        GROUP BY GROUPING SETS ((queue, status), (agent, status), (day, status))
    """
    return _rows(sql, {"start": period.starts_at, "end": period.ends_at, "zone": period.time_zone})


def _failure_facts(period: ReportPeriod) -> list[tuple]:
    """Through the partial index of failed messages by when they failed."""
    sql = f"""
        SELECT GROUPING(i.queue, m.author_id, m.error_code), i.queue, m.author_id, m.error_code,
               max(m.error_title), count(*)
        FROM {_table(Message)} m JOIN {_table(Interaction)} i ON i.id = m.interaction_id
        WHERE m.status = %(failed)s AND m.direction = %(outbound)s
          AND m.status_at >= %(start)s AND m.status_at < %(end)s
        GROUP BY GROUPING SETS ((i.queue), (m.author_id), (m.error_code))
    """
    return _rows(
        sql,
        {
            "start": period.starts_at,
            "end": period.ends_at,
            "failed": MessageStatus.FAILED,
            "outbound": Direction.OUTBOUND,
        },
    )


def _daily_conversations(period: ReportPeriod) -> list[tuple]:
    sql = f"""
        SELECT (opened_at AT TIME ZONE %(zone)s)::date, state, count(*)
        FROM {_table(Interaction)}
        WHERE opened_at >= %(start)s AND opened_at < %(end)s
        GROUP BY 1, 2
    """
    return _rows(sql, {"start": period.starts_at, "end": period.ends_at, "zone": period.time_zone})


class _Rows:
    """The breakdown rows as the facts fill them in, made on first mention."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Breakdown] = {}

    def get(self, dimension: str, key: object) -> Breakdown:
        key = "" if key is None else str(key)
        if (dimension, key) not in self.rows:
            self.rows[(dimension, key)] = Breakdown(dimension=dimension, key=key, label="")
        return self.rows[(dimension, key)]


# GROUPING(a, b, …) sets one bit per column rolled up, the first column's highest: which grouping set a row is of.
_BY_FIRST_OF_TWO, _BY_SECOND_OF_TWO, _BY_NEITHER = 1, 2, 3
_BY_FIRST_OF_THREE, _BY_SECOND_OF_THREE, _BY_THIRD_OF_THREE = 3, 5, 6


def _seconds(value) -> float | None:
    return None if value is None else float(value)


def desk_report(period: ReportPeriod) -> DeskReport:
    """The whole report in seven queries, whatever the period and the number of queues and agents."""
    rows = _Rows()
    for grouping, queue, agent, count, *facts in _conversation_facts(period):
        states, (first_reply, first_agent_reply, handle, by_bot, contained) = facts[: len(STATES)], facts[len(STATES) :]
        if grouping == _BY_SECOND_OF_TWO and agent is None:
            continue  # nobody was assigned: no agent row (the queue rows and the total count them)
        row = _row_of(rows, grouping, queue, agent)
        row.conversations = count
        row.states = dict(zip(STATES, states, strict=True))
        row.first_reply_seconds = _seconds(first_reply)
        row.first_agent_reply_seconds = _seconds(first_agent_reply)
        row.handle_seconds = _seconds(handle)
        row.answered_by_virtual_agent = by_bot
        row.contained = contained
    for grouping, queue, agent, items, accepted, waited, abandoned in _work_item_facts(period):
        if grouping == _BY_SECOND_OF_TWO and agent is None:
            continue
        row = _row_of(rows, grouping, queue, agent)
        if grouping != _BY_SECOND_OF_TWO:  # an agent accepts; queueing and abandoning are the queue's
            row.queued = items
            row.abandoned = abandoned
        row.accepted = accepted
        row.time_in_queue_seconds = _seconds(waited)
    consent_by_day: dict[date, dict[str, int]] = defaultdict(lambda: {"opt_ins": 0, "opt_outs": 0})
    for grouping, queue, agent, day, status, count in _consent_facts(period):
        name = "opt_ins" if status == ConsentStatus.OPTED_IN else "opt_outs"
        if grouping == _BY_THIRD_OF_THREE:  # by day, which make up the total
            consent_by_day[day][name] += count
            row = rows.get(TOTAL, "")
        elif grouping == _BY_FIRST_OF_THREE:
            row = rows.get(QUEUE, queue) if queue is not None else None  # made by hand, or without a message
        else:
            row = rows.get(AGENT, agent) if agent is not None else None  # made by the customer or the system
        if row is not None:
            setattr(row, name, getattr(row, name) + count)
    failures = []
    for grouping, queue, author, code, title, count in _failure_facts(period):
        if grouping == _BY_FIRST_OF_THREE:
            rows.get(QUEUE, queue).failed_messages = count
        elif grouping == _BY_SECOND_OF_THREE:
            if author is not None:  # automatic messages have no author
                rows.get(AGENT, author).failed_messages = count
        else:  # by code, which make up the total
            failures.append(Failure(error_code=code, error_title=title, messages=count))
            rows.get(TOTAL, "").failed_messages += count
    daily: dict[date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATES, 0))
    for day, state, count in _daily_conversations(period):
        daily[day][state] = count
    total = rows.get(TOTAL, "")
    total.label = "All"
    return DeskReport(
        period=period,
        total=total,
        queues=_labelled(rows, QUEUE),
        agents=_labelled(rows, AGENT),
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
        failures=sorted(failures, key=lambda failure: (-failure.messages, failure.error_code)),
    )


def _row_of(rows: _Rows, grouping: int, queue: str | None, agent: int | None) -> Breakdown:
    """The row a two-column GROUPING SETS ((queue), (agent), ()) result belongs to."""
    if grouping == _BY_FIRST_OF_TWO:
        return rows.get(QUEUE, queue)
    if grouping == _BY_SECOND_OF_TWO:
        return rows.get(AGENT, agent)
    return rows.get(TOTAL, "")


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
