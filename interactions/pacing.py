"""Token buckets in Redis, shared by every worker, so our own pacing never earns a throttling error."""

import time

from django.conf import settings
from redis import Redis

from interactions.channel_adapters import RateLimit

# Takes one token from every bucket, or from none: returns 0 when taken, else the seconds to wait.
_TAKE_FROM_ALL = """
local now = tonumber(ARGV[1])
local wait = 0
local states = {}
for i, key in ipairs(KEYS) do
  local rate = tonumber(ARGV[2 * i])
  local burst = tonumber(ARGV[2 * i + 1])
  local state = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(state[1]) or burst
  local at = tonumber(state[2]) or now
  tokens = math.min(burst, tokens + (now - at) * rate)
  states[i] = tokens
  if tokens < 1 then
    wait = math.max(wait, (1 - tokens) / rate)
  end
end
if wait > 0 then
  return tostring(wait)
end
for i, key in ipairs(KEYS) do
  local rate = tonumber(ARGV[2 * i])
  local burst = tonumber(ARGV[2 * i + 1])
  redis.call('HSET', key, 'tokens', states[i] - 1, 'at', now)
  redis.call('EXPIRE', key, math.ceil(burst / rate) + 60)
end
return '0'
"""

_redis: Redis | None = None


def _connection() -> Redis:
    global _redis
    if _redis is None:
        _redis = Redis.from_url(settings.REDIS_URL)
    return _redis


def take_send_tokens(limits: list[RateLimit]) -> float:
    """Seconds to wait before sending; 0 means a token was taken from every bucket and the send may go."""
    if not limits:
        return 0.0
    keys = [f"{settings.REDIS_KEY_PREFIX}pacing:{limit.key}" for limit in limits]
    args: list[float] = [time.time()]
    for limit in limits:
        args += [limit.rate, limit.burst]
    return float(_connection().eval(_TAKE_FROM_ALL, len(keys), *keys, *args))
