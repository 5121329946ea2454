"""How long each kind of data keeps its content: the retention properties (System properties → Retention, which an
admin changes at any time) and `retention_periods()`, the one function every caller reads them through."""

from dataclasses import dataclass
from datetime import timedelta

from properties.accessor import current
from properties.registry import Kind, Property

GROUP = "Retention"


def _days(name: str, label: str, default: int, what: str) -> Property[int]:
    return Property(
        key=f"retention.{name}_days",
        label=label,
        group=GROUP,
        kind=Kind.INTEGER,
        default=default,
        unit="days",
        minimum=0,
        maximum=36500,
        description=f"{what} 0 keeps them forever.",
    )


DAYS: dict[str, Property[int]] = {
    "message_bodies": _days(
        "message_bodies", "Message texts", 365, "The text of messages older than this is removed; the record stays."
    ),
    "media": _days("media", "Media files", 90, "Photos, videos, audio and documents older than this are deleted."),
    "webhook_bodies": _days(
        "webhook_bodies", "Raw webhook bodies", 30, "The JSON WhatsApp sent to our webhook is removed after this long."
    ),
    "status_events": _days(
        "status_events", "Delivery status events", 90, "Sent, delivered and read events older than this are removed."
    ),
    "integration_payloads": _days(
        "integration_payloads",
        "Outbound webhook payloads",
        30,
        "The payloads of outbound webhook deliveries (the delivery log) are removed after this long.",
    ),
    "audit_entries": _days("audit_entries", "Audit log", 730, "Audit entries older than this are deleted."),
}
PROPERTIES = tuple(DAYS.values())


@dataclass(frozen=True, slots=True, kw_only=True)
class RetentionPeriods:
    """Each is how long that data is kept, or None: kept forever."""

    media: timedelta | None
    message_bodies: timedelta | None
    webhook_bodies: timedelta | None
    status_events: timedelta | None
    integration_payloads: timedelta | None
    audit_entries: timedelta | None


def retention_periods() -> RetentionPeriods:
    """The periods as they are now: read at the start of each run."""
    days = {name: current(declared) for name, declared in DAYS.items()}
    return RetentionPeriods(**{name: timedelta(days=value) if value else None for name, value in days.items()})
