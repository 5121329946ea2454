"""The report as named tables: what the page shows and what each CSV export holds, from one definition, so the
export is always the table on the screen (raw numbers in the file: seconds and fractions; words on the page)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from interactions.csv_rows import spreadsheet_safe
from interactions.models import InteractionState
from reports.selectors import STATES, Breakdown, Day, DeskReport, Failure


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    kind: str  # "text", "count", "seconds" or "rate"
    value: Callable[[Any], Any]

    @property
    def csv_title(self) -> str:
        return {"seconds": f"{self.title} (seconds)", "rate": f"{self.title} (fraction)"}.get(self.kind, self.title)


@dataclass(frozen=True, slots=True)
class Cell:
    raw: Any  # what the CSV holds
    shown: str  # what the page shows
    numeric: bool


@dataclass(frozen=True, slots=True)
class Table:
    name: str  # in the export's address and file name
    title: str
    description: str
    columns: list[Column]
    rows: list[list[Cell]]

    def csv_rows(self) -> list[list[Any]]:
        """A name a queue, an agent or an error was given is text in a spreadsheet, never a formula."""
        header = [column.csv_title for column in self.columns]
        return [header, *([_safe(cell.raw) for cell in row] for row in self.rows)]


NOTHING_MEASURED = "\u2013"  # an en dash


def _safe(value: Any) -> Any:
    return spreadsheet_safe(value) if isinstance(value, str) else value


def duration_words(seconds: float | None) -> str:
    """1 h 02 m, 3 m 05 s, 42 s; a dash when nothing was measured."""
    if seconds is None:
        return NOTHING_MEASURED
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} m"
    if minutes:
        return f"{minutes} m {secs:02d} s"
    return f"{secs} s"


def rate_words(value: float | None) -> str:
    return NOTHING_MEASURED if value is None else f"{value:.1%}"


def _cell(column: Column, item: Any) -> Cell:
    value = column.value(item)
    if column.kind == "seconds":
        return Cell(raw="" if value is None else round(value, 1), shown=duration_words(value), numeric=True)
    if column.kind == "rate":
        return Cell(raw="" if value is None else round(value, 4), shown=rate_words(value), numeric=True)
    if column.kind == "count":
        return Cell(raw=value, shown=f"{value:,}", numeric=True)
    return Cell(raw=value, shown=str(value), numeric=False)


def _state_columns(get_states: Callable[[Any], dict[str, int]]) -> list[Column]:
    labels = dict(InteractionState.choices)
    return [Column(labels[state], "count", lambda item, state=state: get_states(item)[state]) for state in STATES]


_CONSENT = [
    Column("Opt-ins", "count", lambda row: row.opt_ins),
    Column("Opt-outs", "count", lambda row: row.opt_outs),
]


def _queue_columns() -> list[Column]:
    return [
        Column("Queue", "text", lambda row: row.label),
        Column("Conversations", "count", lambda row: row.conversations),
        *_state_columns(lambda row: row.states),
        Column("First reply (agent or virtual agent)", "seconds", lambda row: row.first_reply_seconds),
        Column("First agent reply", "seconds", lambda row: row.first_agent_reply_seconds),
        Column("Average handle time", "seconds", lambda row: row.handle_seconds),
        Column("Queued", "count", lambda row: row.queued),
        Column("Accepted", "count", lambda row: row.accepted),
        Column("Average time in queue", "seconds", lambda row: row.time_in_queue_seconds),
        Column("Abandoned", "count", lambda row: row.abandoned),
        Column("Abandonment rate", "rate", lambda row: row.abandonment_rate),
        *_CONSENT,
        Column("Failed messages", "count", lambda row: row.failed_messages),
    ]


def _agent_columns() -> list[Column]:
    return [
        Column("Agent", "text", lambda row: row.label),
        Column("Conversations", "count", lambda row: row.conversations),
        *_state_columns(lambda row: row.states),
        Column("First agent reply", "seconds", lambda row: row.first_agent_reply_seconds),
        Column("Average handle time", "seconds", lambda row: row.handle_seconds),
        Column("Accepted", "count", lambda row: row.accepted),
        Column("Average time in queue before accepted", "seconds", lambda row: row.time_in_queue_seconds),
        Column("Opt-ins recorded", "count", lambda row: row.opt_ins),
        Column("Opt-outs recorded", "count", lambda row: row.opt_outs),
        Column("Failed messages", "count", lambda row: row.failed_messages),
    ]


def _day_columns() -> list[Column]:
    return [
        Column("Day", "text", lambda day: day.day.isoformat()),
        Column("Conversations", "count", lambda day: day.conversations),
        *_state_columns(lambda day: day.states),
        *_CONSENT,
    ]


def _virtual_agent_columns() -> list[Column]:
    return [
        Column("Conversations", "count", lambda row: row.conversations),
        Column("Answered by the virtual agent", "count", lambda row: row.answered_by_virtual_agent),
        Column("Contained (closed without a person)", "count", lambda row: row.contained),
        Column("Containment rate", "rate", lambda row: row.containment_rate),
    ]


def _failure_columns() -> list[Column]:
    return [
        Column("Error code", "text", lambda failure: failure.error_code or "(none)"),
        Column("Error", "text", lambda failure: failure.error_title),
        Column("Failed messages", "count", lambda failure: failure.messages),
    ]


def _table(name: str, title: str, description: str, columns: list[Column], items: list[Any]) -> Table:
    return Table(name, title, description, columns, [[_cell(column, item) for column in columns] for item in items])


TABLE_NAMES = ("queues", "agents", "days", "virtual-agent", "failures")


def report_tables(report: DeskReport) -> list[Table]:
    """In the page's order; the queue and agent tables end with their total."""
    total: Breakdown = report.total
    days: list[Day] = report.days
    failures: list[Failure] = report.failures
    return [
        _table(
            "queues",
            "Per queue",
            "Conversations opened in the period, by the queue they are in; waiting and abandonment of the work items "
            "queued in it.",
            _queue_columns(),
            [*report.queues, total],
        ),
        _table(
            "agents",
            "Per agent",
            "Conversations opened in the period, by the agent they are assigned to; the work items each accepted.",
            _agent_columns(),
            report.agents,
        ),
        _table("days", "Per day", "Conversations opened and consent recorded each day.", _day_columns(), days),
        _table(
            "virtual-agent",
            "Virtual agent",
            "Contained: answered by the virtual agent and closed without ever being queued for a person.",
            _virtual_agent_columns(),
            [total],
        ),
        _table(
            "failures",
            "Failed messages by error code",
            "Outbound messages whose failure was reported in the period, by the channel's (Meta's) error code.",
            _failure_columns(),
            failures,
        ),
    ]


def summary_tiles(report: DeskReport) -> list[tuple[str, str]]:
    """The figures at the top of the page: the period's totals."""
    total = report.total
    return [
        ("Conversations", f"{total.conversations:,}"),
        ("First reply, agent or virtual agent", duration_words(total.first_reply_seconds)),
        ("First agent reply", duration_words(total.first_agent_reply_seconds)),
        ("Average handle time", duration_words(total.handle_seconds)),
        ("Average time in queue", duration_words(total.time_in_queue_seconds)),
        ("Abandonment rate", rate_words(total.abandonment_rate)),
        ("Virtual agent containment", rate_words(total.containment_rate)),
    ]


def chart_data(report: DeskReport) -> dict[str, Any]:
    """What static/reports/reports.js draws, passed to the page with json_script."""
    labels = dict(InteractionState.choices)
    return {
        "days": [day.day.isoformat() for day in report.days],
        "states": [{"key": state, "label": labels[state]} for state in STATES],
        "conversations_by_day": {state: [day.states[state] for day in report.days] for state in STATES},
        "opt_ins_by_day": [day.opt_ins for day in report.days],
        "opt_outs_by_day": [day.opt_outs for day in report.days],
        "queues": [row.label for row in report.queues],
        "first_reply_minutes": [_minutes(row.first_reply_seconds) for row in report.queues],
        "time_in_queue_minutes": [_minutes(row.time_in_queue_seconds) for row in report.queues],
        "handle_minutes": [_minutes(row.handle_seconds) for row in report.queues],
        "failure_codes": [failure.error_code or "(none)" for failure in report.failures],
        "failures": [failure.messages for failure in report.failures],
    }


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 2)
