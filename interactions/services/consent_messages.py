"""The customer's consent keywords (STOP, START…) and the opt-in question: recorded with the message that
carried them, in its transaction, and confirmed to the customer inside the window they just opened. An agent's
record of what the customer said elsewhere. Each pushes the customer's open interactions: whether an agent may
reply now (the interaction's `reply`) depends on it."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from consent.models import ConsentMethod, ConsentStatus
from consent.policies import OPT_OUT_CONFIRMATION, match_consent_keyword
from consent.selectors import consent_state, keyword_language, keyword_rules
from consent.services import record_consent
from interactions.live import broadcast_on_commit, interaction_changed
from interactions.models import OPEN_STATES, ChannelUser, Direction, Interaction, Message, MessageKind
from interactions.services.outbound import ActionRefused, queue_agent_message, queue_outbound_message

OPT_IN_QUESTION = "opt_in_question"


def _answers_opt_in_question(interaction: Interaction, message: Message) -> bool:
    previous = (
        interaction.messages.filter(direction=Direction.OUTBOUND, sequence__lt=message.sequence)
        .order_by("-sequence")
        .first()
    )
    return previous is not None and previous.content.get("consent") == OPT_IN_QUESTION


def apply_consent_keyword(*, interaction: Interaction, message: Message) -> None:
    """Runs inside `record_inbound_message`: a keyword is never recorded without its message, nor lost."""
    if message.kind != MessageKind.TEXT:
        return
    channel_user = interaction.channel_user
    rules = keyword_rules()
    # Whether it answers our opt-in question is asked only of a message that is a keyword at all (most are not).
    match = match_consent_keyword(text=message.text, rules=rules, answers_opt_in_question=True) and (
        match_consent_keyword(
            text=message.text, rules=rules, answers_opt_in_question=_answers_opt_in_question(interaction, message)
        )
    )
    if match is None:
        if settings.CONSENT_OPT_IN_ON_FIRST_CONTACT and consent_state(channel_user_id=channel_user.pk).status is None:
            record_consent(
                channel_user=channel_user,
                status=ConsentStatus.OPTED_IN,
                method=ConsentMethod.FIRST_CONTACT,
                message=message,
            )
        return
    record_consent(
        channel_user=channel_user,
        status=ConsentStatus.OPTED_IN if match.opted_in else ConsentStatus.OPTED_OUT,
        method=ConsentMethod.KEYWORD,
        message=message,
        language=match.language,
    )
    # The keyword's message was pushed before this record; the confirmation's push, read after it, tells the
    # workspace (its `reply`) that the customer opted out or back in.
    confirm_consent_change(interaction=interaction, opted_in=match.opted_in, language=match.language)


def confirm_consent_change(*, interaction: Interaction, opted_in: bool, language: str) -> Message | None:
    """The language's confirmation of an opt-in or opt-out the customer just gave (a keyword, the virtual agent's
    notification settings): after an opt-out, the one message that may still go. The caller holds the lock."""
    keywords = keyword_language(language)
    if keywords is None:
        return None
    confirmation = keywords.opt_in_confirmation if opted_in else keywords.opt_out_confirmation
    return queue_outbound_message(
        interaction=interaction,
        author=None,
        kind=MessageKind.TEXT,
        text=confirmation,
        content={"consent": "opt_in_confirmation" if opted_in else OPT_OUT_CONFIRMATION},
    )


@transaction.atomic
def record_agent_consent(
    *, channel_user: ChannelUser, agent: AbstractBaseUser, status: str, method: str, note: str
) -> None:
    """An opt-in (or opt-out) the customer gave an agent by another route, with its evidence."""
    record_consent(channel_user=channel_user, recorded_by=agent, status=status, method=method, note=note)
    for interaction in channel_user.interactions.filter(state__in=OPEN_STATES).select_related("channel_user"):
        broadcast_on_commit(interaction_changed(interaction))


@transaction.atomic
def ask_for_opt_in(
    *, interaction: Interaction, agent: AbstractBaseUser, language: str = "en", idempotency_key: str = ""
) -> Message:
    """Sends the configured opt-in question; a YES in answer is recorded as the customer's opt-in."""
    question = keyword_language(language)
    if question is None:
        raise ActionRefused("No opt-in question is configured; an admin sets one under Consent, Keyword languages.")
    return queue_agent_message(
        interaction=interaction,
        author=agent,
        kind=MessageKind.TEXT,
        text=question.opt_in_question,
        content={"consent": OPT_IN_QUESTION},
        idempotency_key=idempotency_key,
    )
