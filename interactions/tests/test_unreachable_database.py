"""Which database errors mean the database cannot be reached (the webhook then refuses what gathered at once), as
raised for real by psycopg and SQLite, wrapped by Django as the code sees them."""

import sqlite3

import psycopg
import pytest
from django.db import OperationalError, connection

from conftest import free_port
from interactions.unavailable import is_unreachable_database


def wrapped(error: Exception) -> OperationalError:
    try:
        raise OperationalError(*error.args) from error
    except OperationalError as django_error:
        return django_error


def test_a_refused_connection_is_unreachable():
    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect(host="127.0.0.1", port=free_port(), user="nobody", connect_timeout=2)

    assert is_unreachable_database(wrapped(refused.value))


@pytest.mark.django_db
def test_a_failed_statement_is_not_unreachable():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's lock timeout; SQLite's own errors are checked below")
    params = connection.get_connection_params()
    dsn = {name: params[name] for name in ("dbname", "user", "host", "port") if name in params}
    with psycopg.connect(**dsn, autocommit=True) as holder, psycopg.connect(**dsn) as waiter:
        holder.execute("BEGIN")
        holder.execute("LOCK TABLE django_migrations IN ACCESS EXCLUSIVE MODE")
        waiter.execute("SET lock_timeout = '50ms'")
        with pytest.raises(psycopg.errors.LockNotAvailable) as timed_out:
            waiter.execute("SELECT count(*) FROM django_migrations")

    assert not is_unreachable_database(wrapped(timed_out.value))


def test_sqlites_database_is_locked_is_not_unreachable():
    assert not is_unreachable_database(wrapped(sqlite3.OperationalError("database is locked")))
