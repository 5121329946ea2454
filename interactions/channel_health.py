"""Channel health, without knowing any channel: each channel registers a source that says how its accounts stand
(a revoked token, a low quality rating, a webhook that stopped), and the workspace shows what it is told.

Supervisors (managers and admins) see every alert; agents see only that an account cannot send now, and why, in
the composer. Reading health is a hint: a source that fails is logged and counts as "nothing to say", never as an
error on the page that asked.
"""

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from django.conf import settings

logger = logging.getLogger(__name__)


class Severity(StrEnum):
    PROBLEM = "problem"  # something is broken now (nothing can be sent, events are refused)
    WARNING = "warning"  # something needs an admin's eye before it breaks


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelAlert:
    """One thing wrong with one account, in words a person can act on."""

    channel: str
    account_id: str
    account_label: str
    severity: Severity
    title: str
    detail: str
    since: datetime | None = None
    blocks_sending: bool = False  # agents are told: messages from this account cannot be sent now
    agent_reason: str = ""  # why, in the agent's words, when it blocks sending
    admin_url: str = ""  # where an admin fixes it


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthFact:
    label: str
    value: str
    severity: Severity | None = None  # None: fine


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountHealth:
    """A summary of one account for the supervisor page: a few facts, and its alerts."""

    channel: str
    account_id: str
    account_label: str
    facts: tuple[HealthFact, ...] = ()
    alerts: tuple[ChannelAlert, ...] = field(default=())
    admin_url: str = ""

    @property
    def severity(self) -> Severity | None:
        severities = {alert.severity for alert in self.alerts}
        if Severity.PROBLEM in severities:
            return Severity.PROBLEM
        return Severity.WARNING if severities else None


class ChannelHealthSource(Protocol):
    def accounts(self) -> list[AccountHealth]:
        """Every account the channel serves, with its facts and alerts; reads only what is stored (no calls to the
        channel), as the workspace asks every few seconds."""
        ...


_sources: dict[str, ChannelHealthSource] = {}


def register_channel_health(channel: str, source: ChannelHealthSource) -> None:
    _sources[channel] = source


class _Recent:
    """The last answer, for a few seconds: every open workspace polls, and the answer changes at most every few
    seconds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: tuple[float, list[AccountHealth]] | None = None

    def get(self) -> list[AccountHealth]:
        ttl = settings.CHANNEL_HEALTH_CACHE_SECONDS
        kept = self._kept
        if kept is not None and time.monotonic() - kept[0] < ttl:
            return kept[1]
        accounts = _read_all_sources()
        with self._lock:
            self._kept = (time.monotonic(), accounts)
        return accounts

    def forget(self) -> None:
        self._kept = None


_recent = _Recent()


def _read_all_sources() -> list[AccountHealth]:
    accounts: list[AccountHealth] = []
    for channel, source in list(_sources.items()):
        try:
            accounts.extend(source.accounts())
        except Exception:
            logger.exception("the %s channel could not say how its accounts stand", channel)
    return accounts


def channel_health() -> list[AccountHealth]:
    """How every account of every channel stands (cached a few seconds: CHANNEL_HEALTH_CACHE_SECONDS)."""
    return _recent.get()


def forget_channel_health() -> None:
    """The next read asks the sources again: a change just recorded shows at once in this process."""
    _recent.forget()


def channel_alerts() -> list[ChannelAlert]:
    return [alert for account in channel_health() for alert in account.alerts]


def sending_blocked() -> list[ChannelAlert]:
    """The alerts that stop an account from sending: what agents are told."""
    return [alert for alert in channel_alerts() if alert.blocks_sending]
