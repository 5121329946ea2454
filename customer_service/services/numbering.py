"""Readable numbers for cases and catalog requests.

The counter's row is the last lock a transaction takes: the numbered record's foreign keys (its channel user, its
interaction) are checked with FOR KEY SHARE on rows the conversation's paths lock FOR UPDATE, so a caller first
locks its customer (`lock_channel_user` / `lock_interaction`), then allocates. Holding the counter while waiting
for a customer would deadlock with a virtual agent's turn holding that customer, and queue every case opening
behind it. `customer_service/tests/test_numbering_races.py` races both paths on PostgreSQL."""

from django.db import transaction

from customer_service.models import NumberSequence


def allocate_number(prefix: str) -> str:
    """The next number of `prefix` (CS0001001, CS0001002, …). Call it inside the transaction that saves the record:
    the counter's row stays locked until that commits, so concurrent callers queue and none share a number."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_number needs the transaction that saves the numbered record")
    NumberSequence.objects.get_or_create(prefix=prefix)
    sequence = NumberSequence.objects.select_for_update().get(prefix=prefix)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return f"{prefix}{sequence.last_value:07d}"
