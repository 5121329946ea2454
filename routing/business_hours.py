"""When a queue is open: a weekly schedule in the queue's own time zone, closed all day on its holidays.

Pure: a schedule and an instant in, an answer out. Times are wall-clock times where the queue is, so "09:00" is
09:00 in Berlin on both sides of a daylight-saving change; an opening that falls in the hour the clocks skip
happens when the clock passes it (02:30 on a spring-forward night opens at 03:30 summer time).

The schedule (`Queue.business_hours`) is `{"mon": [["09:00", "12:00"], ["13:00", "17:00"]], "sat": []}`: weekday
keys mon…sun, each a list of [from, to) ranges in HH:MM, "24:00" allowed as an end. An empty schedule means always
open; once any day is given, a day left out is closed.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Far enough to pass a long run of holidays; a schedule with no opening in it never opens.
SEARCH_DAYS = 400
END_OF_DAY = time.max


@dataclass(frozen=True, slots=True)
class OpeningHours:
    time_zone: ZoneInfo
    weekly: tuple[tuple[tuple[time, time], ...], ...]  # Monday first: each day's [from, to) ranges, in order
    holidays: frozenset[date]
    always_open: bool

    def ranges_on(self, day: date) -> tuple[tuple[time, time], ...]:
        if day in self.holidays:
            return ()
        if self.always_open:
            return ((time.min, END_OF_DAY),)
        return self.weekly[day.weekday()]


@cache
def _time_zone_names() -> frozenset[str]:
    return frozenset(available_timezones())  # read from disk: once per process


def time_zone_problem(name: str) -> str | None:
    if name not in _time_zone_names():
        return f"{name!r} is not a time zone; use an IANA name such as Europe/Berlin or America/New_York."
    return None


def _clock(text: object, *, is_end: bool) -> time | None:
    if not isinstance(text, str) or len(text) != 5 or text[2] != ":" or not (text[:2] + text[3:]).isdigit():
        return None
    hours, minutes = int(text[:2]), int(text[3:])
    if is_end and (hours, minutes) == (24, 0):
        return END_OF_DAY
    if hours > 23 or minutes > 59:
        return None
    return time(hours, minutes)


def schedule_problems(schedule: object) -> list[str]:
    """Everything wrong with a weekly schedule, each a sentence; empty when it is valid."""
    if not isinstance(schedule, dict):
        return ['Business hours are an object of weekdays, e.g. {"mon": [["09:00", "17:00"]]}.']
    problems = []
    unknown = [key for key in schedule if key not in WEEKDAYS]
    if unknown:
        problems.append(f"Unknown weekday keys: {', '.join(map(str, unknown))}; use {', '.join(WEEKDAYS)}.")
    for day in WEEKDAYS:
        ranges = schedule.get(day, [])
        if not isinstance(ranges, list):
            problems.append(f'{day}: a list of [from, to] ranges, e.g. [["09:00", "17:00"]], or [] when closed.')
            continue
        parsed = []
        for entry in ranges:
            if not isinstance(entry, list | tuple) or len(entry) != 2:
                problems.append(f"{day}: {entry!r} is not a [from, to] pair.")
                continue
            start, end = _clock(entry[0], is_end=False), _clock(entry[1], is_end=True)
            if start is None or end is None:
                problems.append(f"{day}: {entry[0]!r}-{entry[1]!r}: write times as HH:MM (00:00 to 24:00).")
            elif start >= end:
                problems.append(
                    f"{day}: {entry[0]}-{entry[1]} ends before it starts; split a night across midnight in two days."
                )
            else:
                parsed.append((start, end, f"{entry[0]}-{entry[1]}"))
        parsed.sort()
        for (_, earlier_end, earlier), (later_start, _, later) in pairwise(parsed):
            if later_start < earlier_end:
                problems.append(f"{day}: {earlier} and {later} overlap.")
    return problems


def opening_hours(*, time_zone: str, schedule: dict, holidays: Iterable[date] = ()) -> OpeningHours:
    """From a validated schedule (see `schedule_problems`); an unknown zone is refused here too."""
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(time_zone_problem(time_zone) or str(error)) from error
    weekly = tuple(
        tuple(sorted((_clock(start, is_end=False), _clock(end, is_end=True)) for start, end in schedule.get(day, [])))
        for day in WEEKDAYS
    )
    return OpeningHours(time_zone=zone, weekly=weekly, holidays=frozenset(holidays), always_open=not schedule)


def is_open(hours: OpeningHours, *, at: datetime) -> bool:
    local = at.astimezone(hours.time_zone)
    clock = local.time().replace(tzinfo=None)
    return any(start <= clock < end for start, end in hours.ranges_on(local.date()))


def next_opening(hours: OpeningHours, *, after: datetime) -> datetime | None:
    """The first instant from `after` on at which the queue is open (`after` itself when open); None if never."""
    if is_open(hours, at=after):
        return after
    first_day = after.astimezone(hours.time_zone).date()
    for offset in range(SEARCH_DAYS):
        day = first_day + timedelta(days=offset)
        for start, _ in hours.ranges_on(day):
            # A wall time the clocks skip is read with the offset before the change, i.e. when the clock passes it.
            opening = datetime.combine(day, start, tzinfo=hours.time_zone)
            opening = opening.astimezone(ZoneInfo("UTC")).astimezone(hours.time_zone)
            if opening > after:
                return opening
    return None
