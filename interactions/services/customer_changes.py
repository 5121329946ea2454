"""What customers change after the fact: a message edited or deleted, a new address on the channel.

Agents keep what was written: an edit keeps the original text beside the new one, a deletion only marks the
message. A change to a message we do not have (sent before the desk, or arriving before its message) is kept as
a notice in the conversation, never dropped.

Locks follow the inbound path: channel users first (in primary-key order), then interactions.
"""

from dataclasses import replace

from django.db import transaction
from django.utils import timezone

from interactions.events import ChannelUserAddressChanged, InboundMessage, InboundMessageChanged
from interactions.live import broadcast_on_commit, interaction_changed
from interactions.models import (
    OPEN_STATES,
    ChannelUser,
    Direction,
    Interaction,
    InteractionState,
    Message,
    MessageKind,
    MessageStatus,
)
from interactions.services.event_times import believed_event_time
from interactions.services.inbound import fitted_customer_id, fitted_message_id, record_inbound_message
from interactions.services.timeline import PREVIEW_LENGTH, append_message, lock_interaction, save_message_change
from interactions.storable_text import storable_event


@transaction.atomic
def record_inbound_message_change(*, event: InboundMessageChanged) -> Message | None:
    """Marks the customer's own message edited or deleted; returns the notice recorded when we do not have it."""
    claimed_at = event.occurred_at
    event = storable_event(event)
    event = replace(
        event,
        sender_id=fitted_customer_id(event.sender_id),
        target_external_id=fitted_message_id(event.target_external_id),
        occurred_at=believed_event_time(
            channel=event.channel, claimed=event.occurred_at, received_at=event.received_at
        ),
    )
    target = Message.objects.filter(
        external_id=event.target_external_id,
        direction=Direction.INBOUND,
        interaction__channel_user__channel=event.channel,
        interaction__channel_user__account_id=event.account_id,
        interaction__channel_user__external_id=event.sender_id,
    ).first()
    if target is None:
        return _record_change_of_unknown_message(replace(event, occurred_at=claimed_at))
    interaction = lock_interaction(target.interaction_id)
    target = Message.objects.select_for_update().get(pk=target.pk)
    if event.deleted:
        if target.deleted_by_customer_at is not None:
            return None  # a redelivery
        target.deleted_by_customer_at = event.occurred_at
        save_message_change(interaction=interaction, message=target, fields=["deleted_by_customer_at"])
        return None
    if target.edited_at is not None and target.edited_at >= event.occurred_at:
        return None  # a redelivery, or an older edit arriving after a newer one
    if target.edited_at is None:
        target.original_text = target.text
    target.text = event.new_text
    target.edited_at = event.occurred_at
    if target.sequence == interaction.last_sequence:  # the conversation list shows the start of the last message
        interaction.last_message_preview = {**interaction.last_message_preview, "text": target.text[:PREVIEW_LENGTH]}
        interaction.save(update_fields=["last_message_preview"])
    save_message_change(interaction=interaction, message=target, fields=["text", "original_text", "edited_at"])
    return None


def _record_change_of_unknown_message(event: InboundMessageChanged) -> Message | None:
    if event.deleted:
        text, content = "The customer deleted a message this desk does not have.", {"type": "deleted_unknown"}
    else:
        text = f"The customer edited a message this desk does not have; it now reads: {event.new_text}"
        content = {"type": "edited_unknown", "text": event.new_text}
    return record_inbound_message(
        event=InboundMessage(
            channel=event.channel,
            account_id=event.account_id,
            sender_id=event.sender_id,
            sender_name=event.sender_name,
            external_id=event.external_id,
            sent_at=event.occurred_at,
            received_at=event.received_at,
            kind=MessageKind.NOTICE,
            text=text,
            content={**content, "target_external_id": event.target_external_id},
            opens_service_window=False,
        )
    )


@transaction.atomic
def change_channel_user_address(*, event: ChannelUserAddressChanged) -> ChannelUser | None:
    """Moves the customer, with their history and consent, to their new address; notes it in the conversation.

    The old address may later belong to someone else (numbers are recycled), so no customer stays on it. When the
    new address already has a channel user (they wrote from it before the channel told us), the two are merged
    into that one: it is the same person, and one record keeps one consent history and one open conversation.
    Returns the channel user now at the new address, or None when there was nobody at the old one.
    """
    claimed_at = event.occurred_at
    event = storable_event(event)
    event = replace(
        event,
        old_sender_id=fitted_customer_id(event.old_sender_id),
        new_sender_id=fitted_customer_id(event.new_sender_id),
        external_id=fitted_message_id(event.external_id),
        occurred_at=believed_event_time(
            channel=event.channel, claimed=event.occurred_at, received_at=event.received_at
        ),
    )
    if Message.objects.filter(external_id=event.external_id).exists():
        return None  # a redelivery: the note is recorded, so the move was made
    users = {
        user.external_id: user
        for user in ChannelUser.objects.select_for_update()
        .filter(
            channel=event.channel,
            account_id=event.account_id,
            external_id__in=[event.old_sender_id, event.new_sender_id],
        )
        .order_by("pk")
    }
    moving = users.get(event.old_sender_id)
    if moving is None or event.old_sender_id == event.new_sender_id:
        return users.get(event.new_sender_id)
    staying = users.get(event.new_sender_id)
    if staying is None:
        moving.external_id = event.new_sender_id
        moving.save(update_fields=["external_id"])
        survivor = moving
    else:
        survivor = _merge_channel_users(moving=moving, into=staying, event=event)
    _note_address_change(channel_user=survivor, event=event, claimed_at=claimed_at)
    return survivor


def _merge_channel_users(*, moving: ChannelUser, into: ChannelUser, event: ChannelUserAddressChanged) -> ChannelUser:
    """Every record that names `moving` names `into` instead, whatever app it belongs to; `moving` is deleted.

    If both have an open conversation, the older address's one is closed with a note saying where it continues.
    """
    moving_open = moving.interactions.filter(state__in=OPEN_STATES).first()
    staying_open = into.interactions.filter(state__in=OPEN_STATES).first()
    if moving_open is not None and staying_open is not None:
        interaction = lock_interaction(moving_open.pk)
        _append_note(
            interaction=interaction,
            event=event,
            external_id=None,
            claimed_at=None,
            text=f"The customer now writes from {event.new_sender_id}; the conversation continues in "
            f"{staying_open.number}.",
        )
        interaction.state = InteractionState.CLOSED_COMPLETE
        interaction.closed_at = timezone.now()
        interaction.unread_count = 0
        interaction.save(update_fields=["state", "closed_at", "unread_count"])
        broadcast_on_commit(interaction_changed(interaction))
    for relation in ChannelUser._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)):
            continue  # not a foreign key naming a channel user (those with related_name "+" are hidden)
        relation.related_model._base_manager.filter(**{relation.field.name: moving}).update(
            **{relation.field.name: into}
        )
    into.display_name = into.display_name or moving.display_name
    into.last_inbound_at = max(filter(None, [into.last_inbound_at, moving.last_inbound_at]), default=None)
    into.save(update_fields=["display_name", "last_inbound_at"])
    moving.delete()
    return into


def _note_address_change(*, channel_user: ChannelUser, event: ChannelUserAddressChanged, claimed_at) -> None:
    """In the open conversation, or else the latest one; a customer with no conversation yet needs no note."""
    interactions = Interaction.objects.filter(channel_user=channel_user).order_by("-opened_at", "-pk")
    latest = interactions.filter(state__in=OPEN_STATES).first() or interactions.first()
    if latest is None:
        return
    _append_note(
        interaction=lock_interaction(latest.pk),
        event=event,
        external_id=event.external_id,
        claimed_at=claimed_at,
        text=f"The customer changed from {event.old_sender_id} to {event.new_sender_id}; "
        "replies now go to the new address.",
    )


def _append_note(
    *, interaction: Interaction, event: ChannelUserAddressChanged, external_id: str | None, claimed_at, text: str
):
    append_message(
        interaction=interaction,
        direction=Direction.INBOUND,
        kind=MessageKind.NOTICE,
        text=text,
        content={
            "type": "address_changed",
            "old_address": event.old_sender_id,
            "new_address": event.new_sender_id,
            "notice": event.notice,
        },
        external_id=external_id,
        status=MessageStatus.RECEIVED,
        status_at=timezone.now(),
        sent_at=event.occurred_at,
        claimed_sent_at=claimed_at,
    )
