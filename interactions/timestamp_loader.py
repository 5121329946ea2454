"""PostgreSQL timestamps read by psycopg's C parser instead of the pure-Python one Django's loader inherits.

Django registers its own `timestamptz` loader (to set the connection's time zone on each value) as a subclass of
psycopg's Python `TimestamptzLoader`, so every timestamp of every row is parsed in Python: a list of 200
interactions spent over a third of its CPU there. This loader gives the same values (Django's time zone on the
C parser's result) and keeps Django's `timezone` attribute, which Django compares before each cursor.
Only PostgreSQL with psycopg's C implementation is affected; SQLite and pure-Python psycopg read as before.
"""

from datetime import datetime, tzinfo
from functools import cache

from django.db.backends.signals import connection_created


def c_timestamptz_loader() -> type | None:
    try:
        import psycopg
        from psycopg.pq import __impl__
    except ImportError:
        return None
    if __impl__ not in ("c", "binary"):
        return None
    parser = psycopg.adapters.get_loader(psycopg.adapters.types["timestamptz"].oid, psycopg.pq.Format.TEXT)
    return parser if parser is not None and parser.__module__.startswith("psycopg_") else None


@cache
def fast_loader(zone: tzinfo | None) -> type | None:
    """A loader class for `zone`, like Django's `register_tzloader` builds one (None: the zone is dropped)."""
    parser = c_timestamptz_loader()
    if parser is None:
        return None
    from psycopg.adapt import Loader

    class CTimestamptzLoader(Loader):
        timezone = zone  # what Django's loader holds, and compares with its own before each cursor

        def __init__(self, oid: int, context=None):
            super().__init__(oid, context)
            self._parse = parser(oid, context).load

        def load(self, data) -> datetime:
            return self._parse(data).replace(tzinfo=self.timezone)

    return CTimestamptzLoader


def use_c_timestamp_parser(sender, connection, **kwargs) -> None:
    """On each new (or pooled) connection: swap Django's loader for ours with the same time zone, once."""
    if connection.vendor != "postgresql":
        return
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader
    from psycopg.pq import Format

    adapters = connection.connection.adapters
    current = adapters.get_loader(adapters.types["timestamptz"].oid, Format.TEXT)
    if current is None or not issubclass(current, BaseTzLoader):
        return  # ours already, or not Django's: leave it
    loader = fast_loader(current.timezone)
    if loader is not None:
        adapters.register_loader("timestamptz", loader)


def install() -> None:
    connection_created.connect(use_c_timestamp_parser, dispatch_uid="interactions.timestamp_loader")
