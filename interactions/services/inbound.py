"""Recording what customers send: channel user, interaction and message, each once however often it arrives."""

import logging
from collections.abc import Collection
from dataclasses import replace

from django.db import IntegrityError, transaction
from django.utils import timezone

from interactions.events import InboundMessage
from interactions.models import (
    OPEN_STATES,
    ChannelUser,
    Direction,
    Interaction,
    Message,
    MessageKind,
    MessageStatus,
)
from interactions.responders import first_responder_for
from interactions.rich_content import summary
from interactions.services.consent_messages import apply_consent_keyword
from interactions.services.event_times import believed_event_time
from interactions.services.lifecycle import resume_on_customer_message
from interactions.services.listeners import schedule_inbound_listeners
from interactions.services.media import attach_inbound_media
from interactions.services.rich_outbound import fold_reaction_onto_target
from interactions.services.timeline import append_message
from interactions.storable_text import column_length, fitted_identifier, fitted_text, storable_event

logger = logging.getLogger(__name__)


def _channel_user_for(event: InboundMessage) -> ChannelUser:
    identity = {"channel": event.channel, "account_id": event.account_id, "external_id": event.sender_id}
    channel_user = ChannelUser.objects.select_for_update().filter(**identity).first()
    if channel_user is None:  # their first message: the savepoint lets a concurrent first message win the insert
        try:
            with transaction.atomic():
                channel_user = ChannelUser.objects.create(**identity, display_name=event.sender_name)
        except IntegrityError:  # created by a concurrent delivery of another message from them
            channel_user = ChannelUser.objects.select_for_update().get(**identity)
    changed = []
    if event.sender_name and channel_user.display_name != event.sender_name:
        channel_user.display_name = event.sender_name
        changed.append("display_name")
    if event.opens_service_window and (
        channel_user.last_inbound_at is None or event.sent_at > channel_user.last_inbound_at
    ):
        channel_user.last_inbound_at = event.sent_at
        changed.append("last_inbound_at")
    if channel_user.unreachable_since is not None:
        channel_user.unreachable_since = None  # they wrote to us, so the channel reaches them after all
        changed.append("unreachable_since")
    if changed:
        channel_user.save(update_fields=changed)
    return channel_user


def open_interaction_for(channel_user: ChannelUser, *, opened_at, by_customer: bool = False) -> Interaction:
    """The customer's open interaction, locked, or a new one opened when their message was sent (`by_customer`:
    the automated responder, if one is registered and switched on for them, answers it first).

    The caller holds the channel user's lock, the first of the lock order: every path that closes or changes one
    of their interactions takes that lock first, so the open one found now stays open, and no one else holds it.
    """
    existing = (
        channel_user.interactions.select_for_update(of=("self",)).filter(state__in=OPEN_STATES).order_by("pk").first()
    )
    if existing is not None:
        existing.channel_user = channel_user
        return existing
    interaction = Interaction.objects.create(
        channel_user=channel_user,
        subtype=channel_user.channel,
        opened_at=min(opened_at, timezone.now()),
        automated_responder=first_responder_for(channel_user) if by_customer else "",
    )
    interaction.number = f"IMS{interaction.pk + 1000:07d}"
    interaction.save(update_fields=["number"])
    return interaction


def fitted_customer_id(value: str) -> str:
    """A customer's id as it is stored, so a long one still finds (and names) the same customer."""
    return fitted_identifier(value, max_length=column_length(ChannelUser, "external_id"))


def fitted_message_id(value: str) -> str:
    return fitted_identifier(value, max_length=column_length(Message, "external_id"))


def _storable(event: InboundMessage) -> InboundMessage:
    """The event with its ids and name fitted to our columns and its time made plausible (see the policy)."""
    event = storable_event(event)
    return replace(
        event,
        sender_id=fitted_customer_id(event.sender_id),
        sender_name=fitted_text(event.sender_name, max_length=column_length(ChannelUser, "display_name")),
        external_id=fitted_message_id(event.external_id),
        reply_to_external_id=event.reply_to_external_id and fitted_message_id(event.reply_to_external_id),
        sent_at=believed_event_time(channel=event.channel, claimed=event.sent_at, received_at=event.received_at),
    )


def record_inbound_message(*, event: InboundMessage, known_new: bool = False) -> Message | None:
    """Returns the new message, or None when this message was already recorded (a redelivery).

    `known_new`: the caller has just looked the id up among the recorded ones (`recorded_external_ids`, a batch at
    a time); the unique constraint still decides a race with a concurrent delivery of the same message.
    """
    try:
        return _record_inbound_message(event, known_new=known_new)
    except IntegrityError:
        # The whole transaction is undone: channel user, interaction and counters alike. A duplicate is then
        # recorded by the other delivery; anything else is a failure, not to be taken for one.
        if not recorded_external_ids([event.external_id]):
            raise
        logger.info("inbound message %s was already recorded", event.external_id)
        return None


def recorded_external_ids(external_ids: Collection[str]) -> set[str]:
    """Which of these channel message ids are recorded already, in one query (as `record_inbound_message` fits them)."""
    fitted = {fitted_message_id(external_id): external_id for external_id in external_ids}
    found = Message.objects.filter(external_id__in=list(fitted)).values_list("external_id", flat=True)
    return {fitted[external_id] for external_id in found}


@transaction.atomic
def _record_inbound_message(event: InboundMessage, *, known_new: bool) -> Message | None:
    claimed_sent_at = event.sent_at
    event = _storable(event)
    if not known_new and Message.objects.filter(external_id=event.external_id).exists():
        return None  # the common redelivery, answered without locks; the unique constraint decides races
    channel_user = _channel_user_for(event)
    interaction = open_interaction_for(channel_user, opened_at=event.sent_at, by_customer=True)
    reply_to = None
    if event.reply_to_external_id:
        # Only within the customer's own conversations: a wamid from elsewhere must not touch another timeline.
        reply_to = Message.objects.filter(
            external_id=event.reply_to_external_id, interaction__channel_user=channel_user
        ).first()
    text = event.text
    if event.kind == MessageKind.UNSUPPORTED and not text:
        text = f"unsupported message type: {event.content.get('type', 'unknown')}"
    text = text or summary(kind=event.kind, content=event.content)
    message = append_message(
        interaction=interaction,
        in_savepoint=False,
        direction=Direction.INBOUND,
        kind=event.kind,
        text=text,
        content=event.content,
        external_id=event.external_id,
        reply_to=reply_to,
        status=MessageStatus.RECEIVED,
        status_at=timezone.now(),
        sent_at=event.sent_at,
        claimed_sent_at=claimed_sent_at,
    )
    fold_reaction_onto_target(message)
    if event.media is not None:
        attach_inbound_media(interaction=interaction, message=message, media=event.media)
    apply_consent_keyword(interaction=interaction, message=message)
    if event.kind != MessageKind.NOTICE:  # a changed number is news about the customer, not their answer
        resume_on_customer_message(interaction)
    schedule_inbound_listeners(message)
    return message
