"""Timestamps read through psycopg's C parser are the values Django's own loader gives: same instant, same zone."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader

from interactions.timestamp_loader import fast_loader

pytestmark = [pytest.mark.django_db]

SQL = (
    "SELECT %s::timestamptz, %s::timestamptz, "
    "'2026-03-29 01:30:00.123456+00'::timestamptz, '1999-12-31 23:59:59+05:30'::timestamptz"
)
TIMESTAMPTZ, TEXT = 1184, 0  # the type's oid, psycopg's text format


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL connection's loader")
def test_timestamps_read_as_djangos_loader_reads_them():
    moments = (datetime(2026, 12, 6, 3, 4, 5, 678901, tzinfo=UTC), datetime(1970, 1, 1, tzinfo=UTC))
    with connection.cursor() as cursor:
        assert cursor.connection.adapters.get_loader(TIMESTAMPTZ, TEXT) is fast_loader(connection.timezone)
        cursor.execute(SQL, moments)
        ours = cursor.fetchone()
        register_tzloader(connection.timezone, cursor)  # Django's own, for this cursor only
        cursor.execute(SQL, moments)
        djangos = cursor.fetchone()

    assert ours == djangos
    assert ours[:2] == moments
    assert all(value.tzinfo is UTC for value in ours)
    assert ours[3] == datetime(1999, 12, 31, 18, 29, 59, tzinfo=UTC)
    assert ours[2] - ours[3] > timedelta(0)
