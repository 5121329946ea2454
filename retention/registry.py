"""What each app removes under retention and on a customer's erasure, registered at start-up.

Retention and erasure import none of the apps that hold the data (the WhatsApp inbox, the outbound webhooks, the
cases): each app registers its own steps in its `ready()`, as inbound listeners are registered with the core.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True, slots=True, kw_only=True)
class RetentionSweep:
    """One kind of data with a period. `remove_batch(cutoff=…, limit=…)` runs inside a transaction the caller
    opens per batch: it removes at most `limit` records older than `cutoff` that still hold what it removes
    (so a re-run finds nothing), deletes their files with `transaction.on_commit`, and returns how many it did."""

    name: str  # its count's key in the run's audit entry
    period: str  # a field of retention.periods.RetentionPeriods
    remove_batch: Callable[..., int]


@dataclass(frozen=True, slots=True, kw_only=True)
class ErasureRequest:
    channel_user_id: int
    address: str  # the customer's address on their channel (WhatsApp: wa_id), as raw payloads name them
    erased_by: AbstractBaseUser
    reason: str
    erased_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ErasureStep:
    """`erase(request)` runs inside the erasure's one transaction, files with `transaction.on_commit`, and
    returns counts by what it removed. `removes` and `keeps` are what the confirmation page says."""

    name: str
    removes: tuple[str, ...]
    keeps: tuple[str, ...]
    erase: Callable[[ErasureRequest], dict[str, int]]


_sweeps: dict[str, RetentionSweep] = {}
_erasure_steps: dict[str, ErasureStep] = {}
_customer_lock: dict[str, Callable[[int], object]] = {}  # the one the core registers, under "lock"


def register_retention_sweep(sweep: RetentionSweep) -> None:
    _sweeps[sweep.name] = sweep


def register_erasure_step(step: ErasureStep) -> None:
    _erasure_steps[step.name] = step


def register_customer_lock(lock: Callable[[int], object]) -> None:
    """`lock(channel_user_id)` takes the first lock of the core's lock order (the customer's row) inside the caller's
    transaction. An erasure takes it before any step, so nothing of that customer (an inbound STOP, a reply) commits
    half-way through, whichever step runs first."""
    _customer_lock["lock"] = lock


def customer_lock() -> Callable[[int], object]:
    try:
        return _customer_lock["lock"]
    except KeyError:
        raise ImproperlyConfigured("No app registered the customer's lock that an erasure takes first.") from None


def retention_sweeps() -> list[RetentionSweep]:
    return [_sweeps[name] for name in sorted(_sweeps)]


def erasure_steps() -> list[ErasureStep]:
    """By name: one order for every erasure; the customer's lock, taken before them all, makes the order safe."""
    return [_erasure_steps[name] for name in sorted(_erasure_steps)]
