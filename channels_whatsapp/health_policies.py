"""When a business number's health is a problem: pure rules, values and `now` in, alerts out (table-tested)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from interactions.channel_health import Severity

# The periodic check runs every WHATSAPP_HEALTH_CHECK_SECONDS; older than this, the check itself has stopped.
CHECK_OVERDUE_AFTER = timedelta(minutes=10)
BACKLOG_WARNING_AFTER = timedelta(minutes=5)
RECENT_CHANGE = timedelta(hours=24)
LOW_QUALITY = "RED"
QUALITY_EVENTS_TO_WATCH = {"FLAGGED": "Meta flagged this number's quality", "DOWNGRADE": "Meta lowered the limit"}


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthInputs:
    token_state: str  # channels_whatsapp.models.TokenState
    token_problem: str
    token_error_code: str
    token_state_since: datetime | None
    checked_at: datetime | None
    quality_rating: str
    messaging_limit: str
    quality_event: str
    quality_event_at: datetime | None
    delivered_last_hour: int | None
    refused_last_hour: int | None
    backlog_count: int
    oldest_queued_at: datetime | None
    template_problems: tuple[tuple[str, datetime], ...] = ()  # (what happened, when), of the last day


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    severity: Severity
    title: str
    detail: str
    since: datetime | None = None
    blocks_sending: bool = False
    agent_reason: str = ""  # for agents, when it blocks sending: why, without what an admin does about it


def _minutes(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def _why_nothing_can_be_sent(code: str) -> str:
    if code == "190":
        return "WhatsApp no longer accepts this number's access token (revoked or expired)"
    if code == "131031":
        return "Meta has locked this number's WhatsApp Business Account"
    return f"WhatsApp refuses this number's requests (Meta error {code or 'unknown'})"


def health_problems(inputs: HealthInputs, *, now: datetime) -> list[Problem]:
    """Everything an admin must look at, the worst first."""
    problems: list[Problem] = []
    if inputs.token_state == "refused":
        problems.append(
            Problem(
                severity=Severity.PROBLEM,
                title="Meta refuses this number's requests: nothing can be sent",
                detail=inputs.token_problem,
                since=inputs.token_state_since,
                blocks_sending=True,
                agent_reason=_why_nothing_can_be_sent(inputs.token_error_code),
            )
        )
    if inputs.refused_last_hour and not inputs.delivered_last_hour:
        problems.append(
            Problem(
                severity=Severity.PROBLEM,
                title="Webhook deliveries are refused: customers' messages do not arrive",
                detail=f"{inputs.refused_last_hour} deliveries in the last hour had a signature that matches no "
                "app secret, and none was accepted for this number. Check that this number's app secret is the "
                "secret of the Meta app that sends its webhooks (App settings → Basic).",
            )
        )
    if inputs.token_state == "unchecked":
        problems.append(
            Problem(
                severity=Severity.WARNING,
                title="The access token could not be checked",
                detail=inputs.token_problem,
                since=inputs.token_state_since,
            )
        )
    if inputs.checked_at is not None and now - inputs.checked_at > CHECK_OVERDUE_AFTER:
        problems.append(
            Problem(
                severity=Severity.WARNING,
                title=f"Not checked for {_minutes(now - inputs.checked_at)}",
                detail="The periodic check through the Graph API has stopped: is Celery beat running?",
                since=inputs.checked_at,
            )
        )
    if inputs.quality_rating == LOW_QUALITY:
        problems.append(
            Problem(
                severity=Severity.WARNING,
                title="Quality rating is low (red)",
                detail="Customers block or report this number's messages; Meta may lower its messaging limit. "
                "WhatsApp Manager → Insights shows why.",
            )
        )
    recent_event = inputs.quality_event_at is not None and now - inputs.quality_event_at <= RECENT_CHANGE
    if recent_event and inputs.quality_event in QUALITY_EVENTS_TO_WATCH:
        limit = f" (messaging limit now {inputs.messaging_limit})" if inputs.messaging_limit else ""
        problems.append(
            Problem(
                severity=Severity.WARNING,
                title=QUALITY_EVENTS_TO_WATCH[inputs.quality_event] + limit,
                detail="Meta's phone_number_quality_update webhook said so. WhatsApp Manager → Insights shows why.",
                since=inputs.quality_event_at,
            )
        )
    if inputs.oldest_queued_at is not None and now - inputs.oldest_queued_at > BACKLOG_WARNING_AFTER:
        problems.append(
            Problem(
                severity=Severity.WARNING,
                title=f"{inputs.backlog_count} messages waiting to be sent, the oldest for "
                f"{_minutes(now - inputs.oldest_queued_at)}",
                detail="The outbox is not draining: is the outbound Celery worker running, or is Meta throttling?",
                since=inputs.oldest_queued_at,
            )
        )
    for what, at in inputs.template_problems:
        if now - at <= RECENT_CHANGE:
            problems.append(Problem(severity=Severity.WARNING, title=what, detail="", since=at))
    return problems
