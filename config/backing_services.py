"""How every process reaches PostgreSQL (or SQLite) and Redis: defined once, for base, test and production settings."""

from typing import Any

from channels_redis.core import RedisChannelLayer

# channels-redis waits for a consumer's next event with a blocking read of `brpop_timeout` seconds, over and over.
# redis-py 8 gives every socket a 5 s timeout by default, which then fires during that read and closes every idle
# WebSocket with 1011; any longer timeout still notices a Redis that vanished without closing the connection.
CHANNEL_LAYER_SOCKET_TIMEOUT = RedisChannelLayer.brpop_timeout + 10


def channel_layer_settings(*, redis_url: str, prefix: str = "asgi") -> dict[str, Any]:
    host = {"address": redis_url, "socket_timeout": CHANNEL_LAYER_SOCKET_TIMEOUT, "socket_connect_timeout": 5}
    return {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [host], "prefix": prefix, "capacity": 1500, "expiry": 30},
    }


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
