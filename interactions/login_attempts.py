"""Failed sign-ins, counted per username and address: after LOGIN_FAILURE_LIMIT failures within
LOGIN_LOCKOUT_MINUTES that pair is refused for LOGIN_LOCKOUT_MINUTES, without the password even being checked.
An address that fails LOGIN_FAILURE_LIMIT_PER_ADDRESS times, whatever the usernames (a password spray), is refused
as a whole for as long (0 switches that off: behind a proxy that hides the client's address, every sign-in would
share the proxy's). A username that fails LOGIN_FAILURE_LIMIT_PER_USER times, whatever the addresses (guessing one
account from many machines), is refused from everywhere for as long.

First per pair, so that one attacker cannot lock a colleague out from elsewhere with a handful of tries; the limit per
username is much higher, and only a distributed attack reaches it (then refusing that account is the lesser harm).
The counters are a hint kept in the cache: while it is unreachable, sign-in works unthrottled (and that is logged)
rather than not at all. Each failure is also an audit entry (audit/listeners.py), and so is the first refusal while
locked: one a lock window, so that hammering a locked sign-in cannot flood the append-only audit table.
"""

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.http import HttpRequest

from interactions.hints import only_a_hint

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class SignInAttempt:
    username: str
    address: str

    @classmethod
    def from_request(cls, request: HttpRequest | None, username: str) -> "SignInAttempt":
        """REMOTE_ADDR: behind a proxy, set it from the proxy's header there (X-Forwarded-For is forgeable)."""
        address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
        return cls(username=username.strip().lower(), address=address)

    def cache_key(self, kind: str) -> str:
        digest = hashlib.sha256(f"{self.username}\n{self.address}".encode()).hexdigest()[:32]
        return f"sign-in:{kind}:{digest}"

    def address_cache_key(self, kind: str) -> str:
        return f"sign-in:address-{kind}:{hashlib.sha256(self.address.encode()).hexdigest()[:32]}"

    def username_cache_key(self, kind: str) -> str:
        return f"sign-in:username-{kind}:{hashlib.sha256(self.username.encode()).hexdigest()[:32]}"


def _window_seconds() -> int:
    return settings.LOGIN_LOCKOUT_MINUTES * 60


def sign_in_is_locked(attempt: SignInAttempt) -> bool:
    locked = False
    with only_a_hint("sign-in lockout check"):
        found = cache.get_many(
            [attempt.cache_key("locked"), attempt.address_cache_key("locked"), attempt.username_cache_key("locked")]
        )
        locked = any(found.values())
    return locked


def first_refusal_while_locked(attempt: SignInAttempt) -> bool:
    """True once a lock window for this username and address: only that refusal is worth an audit entry. With the
    cache unreachable, every refusal is (there is no lock then anyway)."""
    first = True
    with only_a_hint("noting a refused sign-in"):
        first = cache.add(attempt.cache_key("refusal-recorded"), True, timeout=_window_seconds())
    return first


def record_failed_sign_in(attempt: SignInAttempt) -> None:
    with only_a_hint("counting a failed sign-in"):
        if _count_failure(attempt.cache_key, settings.LOGIN_FAILURE_LIMIT):
            logger.warning("sign-in locked for %r from %s", attempt.username, attempt.address)
        if _count_failure(attempt.address_cache_key, settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS):
            logger.warning("sign-in locked for every username from %s", attempt.address)
        if _count_failure(attempt.username_cache_key, settings.LOGIN_FAILURE_LIMIT_PER_USER):
            logger.warning("sign-in locked for %r from every address", attempt.username)


def _count_failure(key, limit: int) -> bool:
    """True when this failure reaches the limit and locks; a limit of 0 never locks."""
    if limit <= 0:
        return False
    failures_key = key("failures")
    cache.add(failures_key, 0, timeout=_window_seconds())
    if cache.incr(failures_key) < limit:
        return False
    cache.set(key("locked"), True, timeout=_window_seconds())
    cache.delete(failures_key)
    return True


def forget_failed_sign_ins(attempt: SignInAttempt) -> None:
    with only_a_hint("resetting failed sign-ins"):
        cache.delete(attempt.cache_key("failures"))


def check_client_address_behind_proxy(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Behind a proxy (SECURE_PROXY_SSL_HEADER set), REMOTE_ADDR is the proxy's unless the server is told to take it
    from the proxy's header: the per-address lockout would then lock everyone out at once."""
    if not settings.SECURE_PROXY_SSL_HEADER or settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS <= 0:
        return []
    return [
        checks.Warning(
            "Behind a proxy, the sign-in lockout per address may see the proxy's address for every client and lock "
            "everyone out at once.",
            hint=(
                "Have the application server set REMOTE_ADDR from the proxy's header (e.g. daphne --proxy-headers, "
                "behind a proxy you trust) and then silence this check with "
                "SILENCED_SYSTEM_CHECKS=['interactions.W201'], or switch the lockout per address off with "
                "LOGIN_FAILURE_LIMIT_PER_ADDRESS=0."
            ),
            id="interactions.W201",
        )
    ]
