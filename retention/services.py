"""Applying the retention periods, and erasing one customer on request. Each app says what it removes through
the registry; these two functions run the steps, in batches or in one transaction, and leave the audit entry."""

from dataclasses import dataclass, fields
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import customer_label, record_audit_entry
from retention.periods import retention_periods
from retention.policies import may_erase_customers
from retention.registry import ErasureRequest, customer_lock, erasure_steps, retention_sweeps


@dataclass(frozen=True, slots=True, kw_only=True)
class RetentionRun:
    removed: dict[str, int]  # by sweep name; a sweep whose period is "forever" is absent


class ErasureRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerErasure:
    channel_user_id: int
    removed: dict[str, int]


def apply_retention(*, now: datetime | None = None, batch_size: int | None = None) -> RetentionRun:
    """Each batch is its own short transaction (its locks held briefly, its files deleted once it commits), so a
    run on a big table never holds much at once, and one stopped half-way leaves only whole batches done; the next
    run carries on from there."""
    now = now or timezone.now()
    batch_size = batch_size or settings.RETENTION_BATCH_SIZE
    periods = retention_periods()
    removed: dict[str, int] = {}
    for sweep in retention_sweeps():
        period = getattr(periods, sweep.period)
        if period is None:
            continue
        removed[sweep.name] = 0
        while True:
            with transaction.atomic():
                count = sweep.remove_batch(cutoff=now - period, limit=batch_size)
            removed[sweep.name] += count
            if count < batch_size:
                break
    record_audit_entry(
        action=AuditAction.RETENTION_APPLIED,
        details={
            "removed": removed,
            "periods_in_days": {
                field.name: (period.days if (period := getattr(periods, field.name)) else None)
                for field in fields(periods)
            },
        },
    )
    return RetentionRun(removed=removed)


def erase_customer(*, channel_user: models.Model, erased_by: AbstractBaseUser, reason: str) -> CustomerErasure:
    """The customer's right to erasure: the customer's lock, then every registered step, in one transaction (files
    after it commits), and one audit entry with who, when, which customer by id, why and how many were removed."""
    if not may_erase_customers(erased_by):
        raise ErasureRefused("Only admins may erase a customer's data.")
    reason = reason.strip()
    if not reason:
        raise ErasureRefused("An erasure needs a reason (e.g. the customer's erasure request and its date).")
    request = ErasureRequest(
        channel_user_id=channel_user.pk,
        address=channel_user.address,
        erased_by=erased_by,
        reason=reason,
        erased_at=timezone.now(),
    )
    removed: dict[str, int] = {}
    with transaction.atomic():
        customer_lock()(channel_user.pk)  # first, as the lock order says: no step runs before it is held
        for step in erasure_steps():
            removed.update(step.erase(request))
        record_audit_entry(
            action=AuditAction.CUSTOMER_ERASED,
            user=erased_by,
            target=channel_user,
            target_label=customer_label(channel_user),
            details={"removed": removed, "reason": reason},
        )
    return CustomerErasure(channel_user_id=channel_user.pk, removed=removed)
