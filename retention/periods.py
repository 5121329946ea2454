"""How long each kind of data is kept. The one place that reads the periods: today the `RETENTION` setting, later
the system properties; every caller asks `retention_periods()`."""

from dataclasses import dataclass, fields
from datetime import timedelta

from django.conf import settings

# Days; 0 or None keeps forever.
DEFAULT_RETENTION_DAYS: dict[str, int | None] = {
    "media": 90,
    "message_bodies": 365,
    "webhook_bodies": 30,
    "status_events": 90,
    "integration_payloads": 30,
    "audit_entries": 730,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class RetentionPeriods:
    """Each is how long that data is kept, or None: kept forever."""

    media: timedelta | None
    message_bodies: timedelta | None
    webhook_bodies: timedelta | None
    status_events: timedelta | None
    integration_payloads: timedelta | None
    audit_entries: timedelta | None


class RetentionMisconfigured(ValueError):
    pass


def _period(name: str, days: object) -> timedelta | None:
    if days is None or days == 0:
        return None
    if isinstance(days, bool) or not isinstance(days, int | float) or days < 0:
        raise RetentionMisconfigured(f"RETENTION[{name!r}] must be a number of days (0 or None: keep forever).")
    return timedelta(days=days)


def retention_periods() -> RetentionPeriods:
    configured = getattr(settings, "RETENTION", {}) or {}
    unknown = set(configured) - set(DEFAULT_RETENTION_DAYS)
    if unknown:
        raise RetentionMisconfigured(f"RETENTION has unknown periods: {', '.join(sorted(unknown))}.")
    days = {**DEFAULT_RETENTION_DAYS, **configured}
    return RetentionPeriods(**{field.name: _period(field.name, days[field.name]) for field in fields(RetentionPeriods)})
