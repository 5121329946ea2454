"""Business hours: open and closed at the edges, in the queue's time zone across daylight-saving changes, closed
on holidays, the next opening, and a schedule or time zone written wrong told plainly."""

from datetime import UTC, date, datetime

import pytest

from routing.business_hours import is_open, next_opening, opening_hours, schedule_problems, time_zone_problem

WEEKDAYS_NINE_TO_FIVE = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def berlin(schedule=None, holidays=()):
    return opening_hours(time_zone="Europe/Berlin", schedule=schedule or WEEKDAYS_NINE_TO_FIVE, holidays=holidays)


@pytest.mark.parametrize(
    ("at", "open_"),
    [
        (utc(2026, 1, 14, 7, 59, 59), False),  # Wednesday 08:59:59 in Berlin (UTC+1)
        (utc(2026, 1, 14, 8, 0, 0), True),  # 09:00 opens
        (utc(2026, 1, 14, 15, 59, 59), True),
        (utc(2026, 1, 14, 16, 0, 0), False),  # 17:00 has closed
        (utc(2026, 1, 17, 10, 0, 0), False),  # Saturday
        (utc(2026, 7, 15, 7, 0, 0), True),  # 09:00 summer time (UTC+2)
        (utc(2026, 7, 15, 15, 0, 0), False),  # 17:00 summer time
    ],
)
def test_a_queue_is_open_within_its_hours_in_its_own_time_zone(at, open_):
    assert is_open(berlin(), at=at) is open_


def test_the_same_wall_clock_hours_hold_on_both_sides_of_each_daylight_saving_change():
    hours = berlin()
    # Clocks go forward on Sunday 29 March 2026 and back on Sunday 25 October 2026.
    assert is_open(hours, at=utc(2026, 3, 27, 8, 0))  # Friday 09:00 CET
    assert not is_open(hours, at=utc(2026, 3, 30, 6, 30))  # Monday 08:30 CEST
    assert is_open(hours, at=utc(2026, 3, 30, 7, 0))  # Monday 09:00 CEST
    assert is_open(hours, at=utc(2026, 10, 23, 7, 0))  # Friday 09:00 CEST
    assert not is_open(hours, at=utc(2026, 10, 26, 7, 30))  # Monday 08:30 CET
    assert is_open(hours, at=utc(2026, 10, 26, 8, 0))  # Monday 09:00 CET


def test_the_next_opening_is_the_next_start_in_local_time_across_a_weekend_and_a_clock_change():
    saturday_noon = utc(2026, 3, 28, 12, 0)

    assert next_opening(berlin(), after=saturday_noon) == utc(2026, 3, 30, 7, 0)  # Monday 09:00 summer time


def test_the_next_opening_of_an_open_queue_is_now():
    wednesday = utc(2026, 1, 14, 10, 0)

    assert next_opening(berlin(), after=wednesday) == wednesday


def test_after_closing_the_next_opening_is_the_next_days_start_or_the_days_second_range():
    split_day = berlin({"mon": [["09:00", "12:00"], ["13:00", "17:00"]], "tue": [["09:00", "17:00"]]})
    monday_lunch = utc(2026, 1, 12, 11, 30)  # 12:30 in Berlin
    monday_evening = utc(2026, 1, 12, 18, 0)

    assert not is_open(split_day, at=monday_lunch)
    assert next_opening(split_day, after=monday_lunch) == utc(2026, 1, 12, 12, 0)
    assert next_opening(split_day, after=monday_evening) == utc(2026, 1, 13, 8, 0)


def test_a_holiday_closes_the_whole_day_in_the_queues_time_zone_and_the_next_opening_skips_it():
    hours = berlin(holidays=[date(2026, 12, 24), date(2026, 12, 25)])

    assert not is_open(hours, at=utc(2026, 12, 24, 10, 0))
    assert next_opening(hours, after=utc(2026, 12, 24, 10, 0)) == utc(2026, 12, 28, 8, 0)  # Monday


def test_an_empty_schedule_is_always_open_except_on_holidays():
    hours = opening_hours(time_zone="America/New_York", schedule={}, holidays=[date(2026, 7, 4)])

    assert is_open(hours, at=utc(2026, 7, 5, 4, 0))  # midnight after the holiday, in New York
    assert not is_open(hours, at=utc(2026, 7, 4, 16, 0))
    assert not is_open(hours, at=utc(2026, 7, 5, 3, 59))  # 23:59 on the 4th in New York
    assert next_opening(hours, after=utc(2026, 7, 4, 16, 0)) == utc(2026, 7, 5, 4, 0)  # midnight there


def test_a_schedule_that_never_opens_has_no_next_opening():
    assert next_opening(berlin({"mon": []}), after=utc(2026, 1, 12, 10, 0)) is None


def test_24_00_ends_the_day_and_a_range_into_the_next_day_continues_it():
    hours = berlin({"fri": [["18:00", "24:00"]], "sat": [["00:00", "02:00"]]})

    assert is_open(hours, at=utc(2026, 1, 16, 22, 59, 59))  # Friday 23:59:59
    assert is_open(hours, at=utc(2026, 1, 16, 23, 0))  # Saturday 00:00
    assert not is_open(hours, at=utc(2026, 1, 17, 1, 0))  # Saturday 02:00


def test_an_opening_in_the_hour_the_clocks_skip_happens_as_the_clock_passes_it():
    hours = berlin({"sun": [["02:30", "06:00"]]})

    assert next_opening(hours, after=utc(2026, 3, 28, 23, 0)) == utc(2026, 3, 29, 1, 30)  # 03:30 summer time


@pytest.mark.parametrize(
    ("schedule", "problems"),
    [
        (WEEKDAYS_NINE_TO_FIVE, []),
        ({}, []),
        ({"sat": []}, []),
        ({"mon": [["00:00", "24:00"]]}, []),
        ([], ['Business hours are an object of weekdays, e.g. {"mon": [["09:00", "17:00"]]}.']),
        ({"monday": [], "Tue": []}, ["Unknown weekday keys: monday, Tue; use mon, tue, wed, thu, fri, sat, sun."]),
        ({"mon": "09:00-17:00"}, ['mon: a list of [from, to] ranges, e.g. [["09:00", "17:00"]], or [] when closed.']),
        ({"mon": [["09:00"]]}, ["mon: ['09:00'] is not a [from, to] pair."]),
        ({"mon": [["9:00", "17:00"]]}, ["mon: '9:00'-'17:00': write times as HH:MM (00:00 to 24:00)."]),
        ({"mon": [["09:00", "24:30"]]}, ["mon: '09:00'-'24:30': write times as HH:MM (00:00 to 24:00)."]),
        ({"mon": [["24:00", "24:00"]]}, ["mon: '24:00'-'24:00': write times as HH:MM (00:00 to 24:00)."]),
        ({"mon": [["22:00", "02:00"]]}, [
            "mon: 22:00-02:00 ends before it starts; split a night across midnight in two days."]),
        ({"mon": [["09:00", "12:00"], ["11:30", "17:00"]]}, ["mon: 09:00-12:00 and 11:30-17:00 overlap."]),
        ({"mon": [["13:00", "17:00"], ["09:00", "13:00"]]}, []),  # touching ranges, in any order
    ],
)  # fmt: skip
def test_a_schedule_written_wrong_says_what_is_wrong(schedule, problems):
    assert schedule_problems(schedule) == problems


def test_only_iana_time_zones_are_accepted():
    assert time_zone_problem("Europe/Berlin") is None
    assert "is not a time zone" in time_zone_problem("CET+1")
    with pytest.raises(ValueError, match="is not a time zone"):
        opening_hours(time_zone="Mars/Olympus", schedule={})
