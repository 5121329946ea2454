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
