"""Quick actions: what an agent runs from the composer's `/` menu in one step. Each is a plain service that sends
through the one outbound path (`send_agent_reply`, or consent's `ask_for_opt_in`), so the 24-hour window, the
opt-out and whose conversation it is are checked there, as for any reply."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from canned_responses.selectors import case_in_question, filled_for
from interactions.models import Interaction, Message
from interactions.services.consent_messages import ask_for_opt_in
from interactions.services.outbound import KEY_REUSED, ActionRefused, IdempotencyKeyReused, send_agent_reply

CASE_STATUS = "Your case {case_number} ({case_title}) is {case_state}."
PHOTO_REQUEST = (
    "Could you send us a photo of it? Tap the camera or 📎 in this chat and choose the picture; it helps us "
    "see what happened."
)


@transaction.atomic
def send_case_status(*, interaction: Interaction, agent: AbstractBaseUser, idempotency_key: str = "") -> Message:
    """The case the conversation is about (see `case_in_question`), in one sentence."""
    if case_in_question(interaction) is None:
        raise ActionRefused("This customer has no case linked to the conversation and no open case.")
    text = filled_for(CASE_STATUS, interaction=interaction, agent=agent).text
    return send_agent_reply(interaction=interaction, author=agent, text=text, idempotency_key=idempotency_key)


def ask_for_photo(*, interaction: Interaction, agent: AbstractBaseUser, idempotency_key: str = "") -> Message:
    return send_agent_reply(interaction=interaction, author=agent, text=PHOTO_REQUEST, idempotency_key=idempotency_key)


def send_opt_in_question(*, interaction: Interaction, agent: AbstractBaseUser, idempotency_key: str = "") -> Message:
    """Consent's own question, in the customer's language when one is configured for it (else English)."""
    language = interaction.channel_user.language or "en"
    return ask_for_opt_in(interaction=interaction, agent=agent, language=language, idempotency_key=idempotency_key)


@dataclass(frozen=True, slots=True, kw_only=True)
class QuickAction:
    key: str
    title: str
    description: str
    run: Callable[..., Message]  # run(interaction=..., agent=..., idempotency_key=...)


QUICK_ACTIONS: dict[str, QuickAction] = {
    action.key: action
    for action in (
        QuickAction(
            key="case-status",
            title="Send the latest case status",
            description="The case linked to this conversation (else the latest open one): number, title and state",
            run=send_case_status,
        ),
        QuickAction(
            key="ask-for-photo",
            title="Ask for a photo",
            description="Asks the customer to send a picture of the problem",
            run=ask_for_photo,
        ),
        QuickAction(
            key="opt-in-question",
            title="Send the opt-in question",
            description="Consent's question; a YES in answer records the customer's opt-in",
            run=send_opt_in_question,
        ),
    )
}


@dataclass(frozen=True, slots=True)
class QuickActionRun:
    message: Message
    replayed: bool  # an earlier request with the same Idempotency-Key ran it; nothing was sent now


def run_quick_action(
    *, action: QuickAction, interaction: Interaction, agent: AbstractBaseUser, idempotency_key: str = ""
) -> QuickActionRun:
    """Runs `action` once per key: a retry of a request that ran it (an answer lost on the way) gets the message it
    sent, though the action would word it differently now (the case moved on), and sends nothing more. The key is
    kept with the action's name (and hashed, to fit the column whatever its length), so the same key sent for
    another action is refused as reused, not replayed."""
    stored_key = ""
    if idempotency_key:
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()
        stored_key = f"quick-action:{action.key}:{digest}"
        theirs = Message.objects.filter(author=agent)
        earlier = theirs.filter(idempotency_key__startswith="quick-action:", idempotency_key__endswith=digest).first()
        if earlier is not None and (earlier.idempotency_key, earlier.interaction_id) == (stored_key, interaction.pk):
            return QuickActionRun(earlier, replayed=True)
        if earlier is not None or theirs.filter(idempotency_key=idempotency_key).exists():
            raise IdempotencyKeyReused(KEY_REUSED)
    message = action.run(interaction=interaction, agent=agent, idempotency_key=stored_key)
    return QuickActionRun(message, replayed=False)
