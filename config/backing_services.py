"""How every process reaches PostgreSQL (or SQLite) and Redis: defined once, for base, test and production settings."""

from typing import Any
from urllib.parse import urlsplit


def live_updates_settings(*, redis_url: str, prefix: str = "", coalesce_seconds: float = 0.025) -> dict[str, Any]:
    """The workspace's live push (interactions.live): Redis pub/sub on `redis_url`, channels named under `prefix`.

    No Channels channel layer: each server process subscribes once and fans out to its own sockets. Events that
    arrive within `coalesce_seconds` of each other reach a socket as one frame (a list). The subscription's idle
    read is bounded by its own health check, never by redis-py 8's default 5 s socket timeout, so an idle
    workspace socket is never closed with 1011. Pub/sub channels ignore the database number, so their names
    carry it: two deployments on databases of one Redis server never hear each other.
    """
    database = urlsplit(redis_url).path.strip("/") or "0"
    return {"redis_url": redis_url, "prefix": f"{prefix}db{database}:", "coalesce_seconds": coalesce_seconds}


def database_settings(database: dict[str, Any], *, pool: dict[str, Any], server_side_cursors: bool) -> dict[str, Any]:
    """A database parsed from its URL, made ready for processes that serve requests on many threads.

    PostgreSQL connections come from a psycopg pool per process and go back to it when a request or a task ends.
    Persistent connections (CONN_MAX_AGE) must stay off: under ASGI every request runs on a thread of its own, and a
    connection kept for its thread is never used again nor closed, so they pile up until `max_connections`.
    Behind PgBouncer in transaction mode, server-side cursors (`QuerySet.iterator()`) must be off.
    """
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # WAL mode with IMMEDIATE transactions lets the web server and the worker write side by side.
        options = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
        return {**database, "OPTIONS": {**options, **database.get("OPTIONS", {})}}
    return {
        **database,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": True,
        "DISABLE_SERVER_SIDE_CURSORS": not server_side_cursors,
        "OPTIONS": {**database.get("OPTIONS", {}), "pool": pool},
    }
