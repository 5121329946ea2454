"""What an answer from a subscriber means for its delivery: the one place retries are decided.

- 2xx: delivered.
- 410 Gone: the subscriber asks us to stop; the delivery is given up and the subscription switched off.
- 408, 429 and 5xx, a timeout, no connection, or a name that did not resolve (DNS fails for a while too): tried
  again with exponential backoff and full jitter, from about a minute up to 24 hours between tries, 12 tries in
  all (about two days), then given up. Retry-After on 429 and 503 is honoured (never above the 24-hour ceiling).
- Any other 4xx (and 3xx: redirects are not followed): the request itself is wrong for the receiver (a bad path,
  a refused signature) and will not get better on its own soon, so it gets 3 tries, then is given up.
- An address our SSRF rules refuse (or a URL that is not one): given up at once (it is a setting to fix, not a
  moment to wait out).
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

MAX_ATTEMPTS = 12
MAX_ATTEMPTS_CLIENT_ERROR = 3
BASE_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=24)
# A delivery left pending this long past its time has lost its task; the sweep enqueues it again.
LOST_AFTER = timedelta(minutes=2)
CONNECT_TIMEOUT_SECONDS = 5.0
READ_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class Verdict:
    delivered: bool = False
    retry_in: timedelta | None = None  # None and not delivered: given up
    disable_subscription: bool = False


def backoff(attempt: int) -> timedelta:
    """Full jitter between half the ceiling and the ceiling; the ceiling doubles per attempt up to a day."""
    ceiling = min(BASE_DELAY * (2 ** max(attempt - 1, 0)), MAX_DELAY)
    return timedelta(seconds=random.uniform(ceiling.total_seconds() / 2, ceiling.total_seconds()))


def retry_after(value: str | None, *, now: datetime) -> timedelta | None:
    """Retry-After as seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when - now, timedelta(0))


def verdict_for(
    *, attempt: int, status: int | None, now: datetime, retry_after_header: str | None = None, address_refused=False
) -> Verdict:
    """`status` None: no answer (timeout, connection refused). `attempt` counts this one."""
    if address_refused:
        return Verdict()
    if status is not None and 200 <= status < 300:
        return Verdict(delivered=True)
    if status == 410:
        return Verdict(disable_subscription=True)
    transient = status is None or status in (408, 429) or status >= 500
    if attempt >= (MAX_ATTEMPTS if transient else MAX_ATTEMPTS_CLIENT_ERROR):
        return Verdict()
    wait = backoff(attempt)
    if status in (429, 503):
        asked = retry_after(retry_after_header, now=now)
        if asked is not None:
            wait = min(max(wait, asked), MAX_DELAY)
    return Verdict(retry_in=wait)
