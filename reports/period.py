"""The date range a report covers: whole days in the desk's time zone (settings.TIME_ZONE)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

LONGEST_PERIOD_DAYS = 366


class PeriodError(ValueError):
    """A range a report cannot cover; the message says why, for the person who asked."""


@dataclass(frozen=True, slots=True)
class ReportPeriod:
    first_day: date
    last_day: date  # inclusive
    time_zone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.first_day, time.min, tzinfo=self.zone)

    @property
    def ends_at(self) -> datetime:
        """Exclusive: midnight after the last day, so a conversation at 23:59:59.9 of that day is in."""
        return datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=self.zone)

    @property
    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range((self.last_day - self.first_day).days + 1)]


def desk_time_zone() -> str:
    return settings.TIME_ZONE


def this_week(*, now: datetime) -> ReportPeriod:
    """Monday to Sunday of the week `now` falls in, in the desk's time zone."""
    zone = desk_time_zone()
    today = now.astimezone(ZoneInfo(zone)).date()
    monday = today - timedelta(days=today.weekday())
    return ReportPeriod(first_day=monday, last_day=monday + timedelta(days=6), time_zone=zone)


def report_period(*, first_day: date, last_day: date) -> ReportPeriod:
    if last_day < first_day:
        raise PeriodError("The last day comes before the first day.")
    if (last_day - first_day).days + 1 > LONGEST_PERIOD_DAYS:
        raise PeriodError(f"A report covers at most {LONGEST_PERIOD_DAYS} days; choose a shorter range.")
    return ReportPeriod(first_day=first_day, last_day=last_day, time_zone=desk_time_zone())
