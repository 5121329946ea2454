"""Writes to the consent history: records are only ever added, and removed only by a recorded erasure."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import customer_label, record_audit_entry
from consent.models import (
    AGENT_METHODS,
    ConsentErasure,
    ConsentMethod,
    ConsentRecord,
    ConsentScope,
    ConsentStatus,
)
from retention.registry import ErasureRequest, ErasureStep


class ConsentInvalid(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@transaction.atomic
def record_consent(
    *,
    channel_user,
    status: str,
    method: str,
    scope: str = ConsentScope.ALL,
    recorded_by: AbstractBaseUser | None = None,
    note: str = "",
    message=None,
    language: str = "",
) -> ConsentRecord:
    """Appends one record, stamped when we learn it; it becomes the current state of its scope."""
    if status not in ConsentStatus.values:
        raise ConsentInvalid(f"{status!r} is not a consent status; use one of {', '.join(ConsentStatus.values)}.")
    if method not in ConsentMethod.values:
        raise ConsentInvalid(f"{method!r} is not a consent method; use one of {', '.join(ConsentMethod.values)}.")
    if scope not in ConsentScope.values:
        raise ConsentInvalid(f"{scope!r} is not a consent scope; use one of {', '.join(ConsentScope.values)}.")
    note = note.strip()
    if method in AGENT_METHODS and (recorded_by is None or not note):
        raise ConsentInvalid("Say where the evidence is: a consent recorded by an agent needs a note.")
    before = (
        ConsentRecord.objects.filter(channel_user=channel_user, scope=scope).values_list("status", flat=True).first()
    )
    record = ConsentRecord.objects.create(
        channel_user=channel_user,
        scope=scope,
        status=status,
        method=method,
        recorded_at=timezone.now(),
        recorded_by=recorded_by,
        note=note,
        message=message,
        message_text=(message.text[:255] if message is not None else ""),
        language=language,
    )
    record_audit_entry(
        action=AuditAction.CONSENT_CHANGED,
        user=recorded_by,
        target=channel_user,
        target_label=customer_label(channel_user),
        changes={"status": (before, status)},
        details={"scope": scope, "method": method},
    )
    return record


def erase_consent_history(request: ErasureRequest) -> dict[str, int]:
    """A customer's erasure (retention.services.erase_customer, which writes the audit entry): their consent
    records go, and a ConsentErasure row says who, when, why and how many."""
    erased, _ = ConsentRecord.objects.filter(channel_user_id=request.channel_user_id).delete()
    ConsentErasure.objects.create(
        channel_user_id=request.channel_user_id,
        records_erased=erased,
        erased_at=request.erased_at,
        erased_by=request.erased_by,
        reason=request.reason,
    )
    return {"consent_records": erased}


ERASURE_STEP = ErasureStep(
    name="consent",
    removes=("their consent history (every opt-in and opt-out record, with the message that carried it)",),
    keeps=("an erasure record: when, by whom, why and how many consent records went",),
    erase=erase_consent_history,
)
