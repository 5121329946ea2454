"""Moving an interaction through its states, and clearing its unread count when an agent looks at it."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from interactions.live import broadcast_on_commit, interaction_changed
from interactions.models import Interaction, InteractionState
from interactions.roles import may_send_messages
from interactions.services.outbound import ActionRefused
from interactions.services.receipts import request_read_receipts
from interactions.services.timeline import lock_interaction

CLOSED_STATES = (InteractionState.CLOSED_COMPLETE, InteractionState.CLOSED_ABANDONED)


@transaction.atomic
def close_interaction(*, interaction: Interaction, by: AbstractBaseUser, state: str) -> Interaction:
    if not may_send_messages(by):
        raise ActionRefused("Only agents may close interactions.")
    if state not in CLOSED_STATES:
        raise ActionRefused(f"{state!r} is not a closed state; use one of {', '.join(CLOSED_STATES)}.")
    interaction = lock_interaction(interaction.pk)
    if not interaction.is_open:
        raise ActionRefused(f"Interaction {interaction.number} is already closed.")
    interaction.state = state
    interaction.closed_at = timezone.now()
    interaction.unread_count = 0
    interaction.revision += 1
    interaction.save(update_fields=["state", "closed_at", "unread_count", "revision"])
    broadcast_on_commit(interaction_changed(interaction))
    return interaction


@transaction.atomic
def mark_interaction_seen(*, interaction: Interaction) -> Interaction:
    """An agent has the interaction in front of them: the unread count clears and the customer gets read receipts."""
    interaction = lock_interaction(interaction.pk)
    request_read_receipts(interaction=interaction)
    if interaction.unread_count:
        interaction.unread_count = 0
        interaction.save(update_fields=["unread_count"])
        broadcast_on_commit(interaction_changed(interaction))
    return interaction
