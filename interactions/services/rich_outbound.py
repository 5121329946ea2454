"""Agents' rich messages (a location, a reaction, a list picker or reply buttons); reactions folded onto targets.

A reaction is a message of kind `reaction` whose `reply_to` is the message reacted to; the timeline shows it on
that message, not as a bubble of its own. So that a client catching up by revision sees it, recording a reaction
also gives its target a new revision.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from interactions.channel_adapters import channel_adapter
from interactions.models import Interaction, Message, MessageKind
from interactions.rich_content import ContentRefused, agent_content, summary
from interactions.services.outbound import earlier_agent_message, queue_agent_message
from interactions.services.timeline import lock_interaction, save_message_change


@transaction.atomic
def send_agent_rich_message(
    *,
    interaction: Interaction,
    author: AbstractBaseUser,
    kind: str,
    content: object,
    reply_to_id: int | None = None,
    idempotency_key: str | None = None,
) -> Message:
    """Refuses with every problem at once (ContentRefused), so the agent can fix the message in one go."""
    content = agent_content(kind=kind, raw=content)
    text = summary(kind=kind, content=content)
    earlier = earlier_agent_message(
        author=author,
        idempotency_key=idempotency_key,
        interaction=interaction,
        request=(kind, text, content, reply_to_id),
    )
    if earlier is not None:
        return earlier  # a retry: its reaction was folded onto its target the first time
    problems = channel_adapter(interaction.subtype).content_problems(kind=kind, content=content)
    if kind == MessageKind.REACTION:
        problems += _reaction_target_problems(interaction=interaction, target_id=reply_to_id)
    if problems:
        raise ContentRefused(problems)
    message = queue_agent_message(
        interaction=interaction,
        author=author,
        kind=kind,
        text=text,
        content=content,
        reply_to_id=reply_to_id,
        idempotency_key=idempotency_key,
    )
    fold_reaction_onto_target(message)
    return message


def _reaction_target_problems(*, interaction: Interaction, target_id: int | None) -> list[str]:
    if target_id is None:
        return ["A reaction needs the message it reacts to (reply_to)."]
    target = interaction.messages.filter(pk=target_id).first()
    if target is not None and not target.external_id:
        return ["That message has not reached the customer yet; react once it has been sent."]
    return []  # an unknown target is refused with the other reply_to checks


def fold_reaction_onto_target(message: Message) -> None:
    """Gives the reacted-to message a new revision, in the same transaction, so catch-up carries the reaction.

    The revision is its own interaction's: a customer may react to a message of an earlier, closed interaction.
    """
    if message.kind != MessageKind.REACTION or message.reply_to_id is None:
        return
    target_interaction_id = Message.objects.values_list("interaction_id", flat=True).get(pk=message.reply_to_id)
    if target_interaction_id == message.interaction_id:
        target_interaction = message.interaction
    else:
        target_interaction = lock_interaction(target_interaction_id)
    target = Message.objects.select_for_update().get(pk=message.reply_to_id)
    save_message_change(interaction=target_interaction, message=target, fields=[])
