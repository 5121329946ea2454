"""Conversations the business starts: an agent from the workspace, or a template in an interaction whose window
has closed. Both ask the outreach policy first and queue nothing it refuses."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from interactions.models import (
    OPEN_STATES,
    ChannelUser,
    Interaction,
    Message,
    MessageKind,
    MessageTemplate,
)
from interactions.roles import may_send_messages
from interactions.services.assignment import claim_interaction, prepare_claim, prepare_opening
from interactions.services.inbound import open_interaction_for
from interactions.services.outbound import (
    ActionRefused,
    lock_interaction_to_act,
    queue_outbound_message,
    refuse_overlong_text,
)
from interactions.services.outreach import outreach_decision_for
from interactions.services.templates import TemplateValues, sendable_template, template_message_content
from interactions.services.timeline import lock_channel_user


class AlreadyInConversation(ActionRefused):
    """Not outreach at all: the customer has an open interaction, which is where to write to them."""

    def __init__(self, interaction: Interaction) -> None:
        name = interaction.channel_user.display_name or f"+{interaction.channel_user.external_id}"
        super().__init__(f"{name} already has an open conversation, {interaction.number}; continue it there.")
        self.interaction = interaction


def _template_for(channel_user: ChannelUser, template_id: int) -> MessageTemplate:
    template = MessageTemplate.objects.filter(
        pk=template_id, channel=channel_user.channel, account_id=channel_user.account_id
    ).first()
    return sendable_template(template)


def _outbound_content(
    *, channel_user: ChannelUser, text: str, template_id: int | None, values: TemplateValues
) -> tuple[str, str, dict, MessageTemplate | None]:
    """(kind, text, content, template) for a free-form text or a filled template, checked."""
    if template_id is not None:
        template = _template_for(channel_user, template_id)
        text, content = template_message_content(template=template, values=values)
        return MessageKind.TEMPLATE, text, content, template
    text = text.strip()
    if not text:
        raise ActionRefused("Write a message or pick a template.")
    refuse_overlong_text(channel=channel_user.channel, text=text)
    return MessageKind.TEXT, text, {}, None


@transaction.atomic
def start_conversation(
    *,
    agent: AbstractBaseUser,
    channel_user: ChannelUser | None,
    text: str = "",
    template_id: int | None = None,
    values: TemplateValues | None = None,
) -> Message:
    """Opens an interaction with a first message from the agent, assigned to them, if the policy allows it and the
    agent may take one more conversation (routing: their capacity)."""
    if not may_send_messages(agent):
        raise ActionRefused("Only agents may start conversations.")
    if channel_user is None:
        raise ActionRefused(outreach_decision_for(channel_user=None).reason)
    prepare_opening(agent=agent)  # its locks come before the customer's
    channel_user = lock_channel_user(channel_user.pk)
    existing = channel_user.interactions.filter(state__in=OPEN_STATES).first()
    if existing is not None:
        raise AlreadyInConversation(existing)
    kind, text, content, template = _outbound_content(
        channel_user=channel_user, text=text, template_id=template_id, values=values or TemplateValues()
    )
    decision = outreach_decision_for(channel_user=channel_user, template=template)
    if not decision.allowed:
        raise ActionRefused(decision.reason)
    interaction = open_interaction_for(channel_user, opened_at=timezone.now())
    claim_interaction(interaction=interaction, agent=agent)
    return queue_outbound_message(interaction=interaction, author=agent, kind=kind, text=text, content=content)


@transaction.atomic
def send_template_reply(
    *, interaction: Interaction, author: AbstractBaseUser, template_id: int, values: TemplateValues
) -> Message:
    """A template in an open interaction: how to reach a customer once their 24-hour window has closed."""
    check_claim = prepare_claim(interaction_id=interaction.pk, agent=author)  # its locks come before the interaction's
    interaction = lock_interaction_to_act(interaction.pk, agent=author, action="send messages")
    if not interaction.is_open:
        raise ActionRefused(f"Interaction {interaction.number} is closed.")
    channel_user = interaction.channel_user
    kind, text, content, template = _outbound_content(
        channel_user=channel_user, text="", template_id=template_id, values=values
    )
    decision = outreach_decision_for(channel_user=channel_user, template=template)
    if not decision.allowed:
        raise ActionRefused(decision.reason)
    claim_interaction(interaction=interaction, agent=author, check=check_claim)
    return queue_outbound_message(interaction=interaction, author=author, kind=kind, text=text, content=content)
