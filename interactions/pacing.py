"""Send pacing in Redis, shared by every worker, so our own pacing never earns a throttling error.

Each limit is a token bucket kept as one timestamp (GCRA, the generic cell rate algorithm): the time its next
send is due. A sender reserves a slot in every bucket at once and waits for it in its own thread, so the sends
of many workers leave evenly spaced, in the order they asked, with no herd of retries polling an empty bucket.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from redis import Redis
from redis.commands.core import Script

from interactions.channel_adapters import RateLimit

# KEYS: the buckets. ARGV: now, the longest hold, then per bucket its emission interval (1 / rate) and tolerance
# ((burst - 1) intervals). Reserves the earliest time every bucket allows, if it is within the hold, in all of
# them; else reserves nothing. Returns {reserved 0/1, seconds from now}.
_RESERVE = """
local now = tonumber(ARGV[1])
local max_hold = tonumber(ARGV[2])
local at = now
local due = {}
for i, key in ipairs(KEYS) do
  local next_due = math.max(tonumber(redis.call('GET', key)) or now, now)
  due[i] = next_due
  at = math.max(at, next_due - tonumber(ARGV[2 + 2 * i]))
end
if at - now > max_hold then
  return {0, tostring(at - now)}
end
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[1 + 2 * i])
  local next_due = math.max(due[i], at) + interval
  redis.call('SET', key, tostring(next_due), 'PX', math.ceil((next_due - now + 60) * 1000))
end
return {1, tostring(at - now)}
"""

# A slot this close is waited for in the sending thread; a later one is asked for again after that long.
MAX_HOLD_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class SendSlot:
    """`reserved`: the send may go at `at` (unix time), `wait` seconds after the reservation. Otherwise ask again
    after `wait`."""

    reserved: bool
    wait: float
    at: float = 0.0

    def wait_for_it(self) -> None:
        """Sleeps until the slot, counted from the reservation: time spent since (a commit) is not added to it."""
        time.sleep(max(self.at - time.time(), 0.0))


_script: Script | None = None


def _reserve_script() -> Script:
    """Registered once per process; then each call sends only the script's digest (EVALSHA)."""
    global _script
    if _script is None:
        _script = Redis.from_url(settings.REDIS_URL).register_script(_RESERVE)
    return _script


def reserve_send_slot(limits: list[RateLimit], *, max_hold: float = MAX_HOLD_SECONDS) -> SendSlot:
    """One round trip: a slot within `max_hold` seconds in every bucket, or none and how long until one is free."""
    now = time.time()
    if not limits:
        return SendSlot(reserved=True, wait=0.0, at=now)
    keys = [f"{settings.REDIS_KEY_PREFIX}pacing:{limit.key}" for limit in limits]
    args: list[float] = [now, max_hold]
    for limit in limits:
        interval = 1 / limit.rate
        args += [interval, (max(limit.burst, 1) - 1) * interval]
    reserved, wait = _reserve_script()(keys=keys, args=args)
    wait = max(float(wait), 0.0)
    return SendSlot(reserved=bool(reserved), wait=wait, at=now + wait)
