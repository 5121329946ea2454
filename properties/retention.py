"""How long each kind of record keeps its content: the retention properties and `retention_periods()`, the one
function the retention task reads them through. They belong to no single app (messages, webhooks, the audit log
and outbound webhooks each have one), so this app declares them itself."""

from dataclasses import dataclass
from datetime import timedelta

from properties.accessor import current
from properties.registry import Kind, Property

GROUP = "Retention"
_KEEP_FOREVER = "0 keeps them forever."


def _days(key: str, label: str, default: int, what: str) -> Property[int]:
    return Property(
        key=f"retention.{key}_days",
        label=label,
        group=GROUP,
        kind=Kind.INTEGER,
        default=default,
        unit="days",
        minimum=0,
        maximum=36500,
        description=f"{what} {_KEEP_FOREVER}",
    )


MESSAGE_BODIES = _days(
    "message_bodies", "Message texts", 365, "The text of messages older than this is removed; the record stays."
)
MEDIA = _days("media", "Media files", 90, "Photos, videos, audio and documents older than this are deleted.")
WEBHOOK_BODIES = _days(
    "webhook_bodies", "Raw webhook bodies", 30, "The JSON WhatsApp sent to our webhook is removed after this long."
)
STATUS_EVENTS = _days(
    "status_events", "Delivery status events", 90, "Sent, delivered and read events older than this are removed."
)
AUDIT_LOG = _days("audit_log", "Audit log", 730, "Audit entries older than this are deleted.")
INTEGRATION_PAYLOADS = _days(
    "integration_payloads",
    "Outbound webhook payloads",
    30,
    "The payloads of outbound webhook deliveries (the delivery log) are removed after this long.",
)

PROPERTIES = (MESSAGE_BODIES, MEDIA, WEBHOOK_BODIES, STATUS_EVENTS, AUDIT_LOG, INTEGRATION_PAYLOADS)


@dataclass(frozen=True, kw_only=True)
class RetentionPeriods:
    """For each kind of content, how long it is kept; None: forever."""

    message_bodies: timedelta | None
    media: timedelta | None
    webhook_bodies: timedelta | None
    status_events: timedelta | None
    audit_log: timedelta | None
    integration_payloads: timedelta | None


def _period(declared: Property[int]) -> timedelta | None:
    days = current(declared)
    return timedelta(days=days) if days else None


def retention_periods() -> RetentionPeriods:
    """The periods as they are now (the admin may change them at any time; read them at the start of each run)."""
    return RetentionPeriods(
        message_bodies=_period(MESSAGE_BODIES),
        media=_period(MEDIA),
        webhook_bodies=_period(WEBHOOK_BODIES),
        status_events=_period(STATUS_EVENTS),
        audit_log=_period(AUDIT_LOG),
        integration_payloads=_period(INTEGRATION_PAYLOADS),
    )
