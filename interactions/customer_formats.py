"""Dates and times as customers read them in our messages: written in the formats of the system properties."""

from datetime import date, datetime, time

from interactions.properties import CUSTOMER_DATE_FORMAT, CUSTOMER_TIME_FORMAT
from properties.accessor import current


def customer_date(day: date) -> str:
    return day.strftime(current(CUSTOMER_DATE_FORMAT))


def customer_time(moment: datetime | time) -> str:
    return moment.strftime(current(CUSTOMER_TIME_FORMAT))
