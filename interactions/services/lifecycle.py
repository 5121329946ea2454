"""Moving an interaction through its states, and clearing its unread count when an agent looks at it.

    new ──agent writes──▶ work in progress ◀──resume / customer writes──▶ on hold (waiting for the customer)
                                │                                          │
                                └──────────── closed complete / closed abandoned (each with a state reason) ◀┘

Every change of state is saved with the next revision, pushed to the workspace and announced to the lifecycle
listeners (routing) once it commits.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from interactions.live import broadcast_on_commit, interaction_changed
from interactions.models import CLOSED_STATES, Interaction, InteractionState
from interactions.services.lifecycle_listeners import LifecycleChange, announce_lifecycle_change, lifecycle_snapshot
from interactions.services.outbound import ActionRefused, lock_interaction_to_act
from interactions.services.receipts import request_read_receipts
from interactions.services.timeline import lock_interaction, save_interaction_change
from interactions.storable_text import column_length

# What a closure records when the agent gives no reason of their own.
DEFAULT_STATE_REASONS = {
    InteractionState.CLOSED_COMPLETE: "Completed by the agent",
    InteractionState.CLOSED_ABANDONED: "Abandoned: closed by the agent",
}


class ReasonRefused(ActionRefused):
    """A hold or closure reason that is missing or too long: the request is wrong, not the moment (400)."""


def _reason(text: str, *, field: str, what: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise ReasonRefused(f"Say why ({what}): the reason is shown to colleagues and kept.")
    limit = column_length(Interaction, field)
    if len(text) > limit:
        raise ReasonRefused(f"The reason is {len(text)} characters long; at most {limit} are kept.")
    return text


def _save_change(interaction: Interaction, *, before: LifecycleChange, fields: list[str]) -> Interaction:
    save_interaction_change(interaction, fields=fields)
    announce_lifecycle_change(interaction, before=before)
    return interaction


@transaction.atomic
def put_on_hold(*, interaction: Interaction, by: AbstractBaseUser, reason: str) -> Interaction:
    """The agent waits for the customer (a photo of the receipt, a tracking number): the conversation stays theirs
    and open, and the customer's next message resumes it."""
    reason = _reason(reason, field="hold_reason", what="what are you waiting for")
    interaction = lock_interaction_to_act(interaction.pk, agent=by, action="put interactions on hold")
    if interaction.state == InteractionState.ON_HOLD:
        raise ActionRefused(f"Interaction {interaction.number} is already on hold ({interaction.hold_reason}).")
    if interaction.state != InteractionState.WORK_IN_PROGRESS:
        raise ActionRefused(
            f"Interaction {interaction.number} is {interaction.get_state_display().lower()}; "
            "only one in progress can be put on hold."
        )
    before = lifecycle_snapshot(interaction)
    interaction.state = InteractionState.ON_HOLD
    interaction.hold_reason = reason
    return _save_change(interaction, before=before, fields=["state", "hold_reason"])


@transaction.atomic
def resume_interaction(*, interaction: Interaction, by: AbstractBaseUser) -> Interaction:
    """The agent takes an on-hold conversation up again before the customer writes."""
    interaction = lock_interaction_to_act(interaction.pk, agent=by, action="resume interactions")
    if interaction.state != InteractionState.ON_HOLD:
        raise ActionRefused(
            f"Interaction {interaction.number} is {interaction.get_state_display().lower()}, not on hold."
        )
    return _resume(interaction)


def resume_on_customer_message(interaction: Interaction) -> None:
    """The customer answered: an on-hold interaction is work in progress again. The caller (recording their
    message) holds the interaction's lock."""
    if interaction.state == InteractionState.ON_HOLD:
        _resume(interaction)


def _resume(interaction: Interaction) -> Interaction:
    before = lifecycle_snapshot(interaction)
    interaction.state = InteractionState.WORK_IN_PROGRESS
    interaction.hold_reason = ""
    return _save_change(interaction, before=before, fields=["state", "hold_reason"])


@transaction.atomic
def close_interaction(
    *, interaction: Interaction, by: AbstractBaseUser | None, state: str, state_reason: str = ""
) -> Interaction:
    """Closes with a state reason: the agent's, or the state's default when they give none.

    `by` None is the system (the idle sweep closing a silent customer's conversation), which must give its reason;
    an agent who closes is recorded (`closed_by`) and owes a wrap-up.
    """
    if state not in CLOSED_STATES:
        raise ActionRefused(f"{state!r} is not a closed state; use one of {', '.join(CLOSED_STATES)}.")
    if by is not None and not state_reason.strip():
        state_reason = DEFAULT_STATE_REASONS[state]
    state_reason = _reason(state_reason, field="state_reason", what="why it closes")
    if by is None:
        interaction = lock_interaction(interaction.pk)
    else:
        interaction = lock_interaction_to_act(interaction.pk, agent=by, action="close interactions")
    if not interaction.is_open:
        raise ActionRefused(f"Interaction {interaction.number} is already closed.")
    before = lifecycle_snapshot(interaction)
    interaction.state = state
    interaction.state_reason = state_reason
    interaction.hold_reason = ""
    interaction.closed_at = timezone.now()
    interaction.closed_by = by
    interaction.unread_count = 0
    return _save_change(
        interaction,
        before=before,
        fields=["state", "state_reason", "hold_reason", "closed_at", "closed_by", "unread_count"],
    )


@transaction.atomic
def mark_interaction_seen(*, interaction: Interaction, by: AbstractBaseUser) -> Interaction:
    """The agent who acts in the interaction has it in front of them: the unread count clears and the customer gets
    read receipts. A colleague reading along changes neither (the gate of every act refuses them)."""
    interaction = lock_interaction_to_act(interaction.pk, agent=by, action="mark interactions seen")
    request_read_receipts(interaction=interaction)
    if interaction.unread_count:
        interaction.unread_count = 0
        interaction.save(update_fields=["unread_count"])
        broadcast_on_commit(interaction_changed(interaction))
    return interaction
