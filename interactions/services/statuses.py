"""Applying the channel's delivery statuses: each (message, status) once per account, never stepping backwards."""

from dataclasses import replace

from django.db import IntegrityError, transaction

from interactions.events import DeliveryStatusUpdate
from interactions.models import DeliveryStatusEvent, Direction, Message, MessageStatus
from interactions.policies import status_can_advance
from interactions.services.event_times import believed_event_time
from interactions.services.recipient_signals import apply_recipient_signal
from interactions.services.timeline import lock_interaction, save_message_change
from interactions.storable_text import column_length, fitted_identifier, fitted_text, storable_event

CORRELATION_PREFIX = "outbox-"


def correlation_id_for(message: Message) -> str:
    """Sent along with the message and echoed in its statuses, so a send whose answer was lost is recognised."""
    return f"{CORRELATION_PREFIX}{message.pk}"


def _message_for(update: DeliveryStatusUpdate) -> Message | None:
    """Our message the status names, by channel id or correlation id, only among those of the account it came for."""
    ours = Message.objects.filter(
        direction=Direction.OUTBOUND,
        interaction__channel_user__channel=update.channel,
        interaction__channel_user__account_id=update.account_id,
    )
    message = ours.filter(external_id=update.external_id).first()
    if message is not None or not update.correlation_id.startswith(CORRELATION_PREFIX):
        return message
    pk = update.correlation_id.removeprefix(CORRELATION_PREFIX)
    return ours.filter(pk=pk if pk.isdigit() else None).first()


def _storable(update: DeliveryStatusUpdate) -> DeliveryStatusUpdate:
    """The update with its values fitted to our columns and its time made plausible (see the policy)."""
    update = storable_event(update)
    return replace(
        update,
        external_id=fitted_identifier(update.external_id, max_length=column_length(DeliveryStatusEvent, "external_id")),
        error_code=fitted_text(update.error_code, max_length=column_length(DeliveryStatusEvent, "error_code")),
        error_title=fitted_text(update.error_title, max_length=column_length(DeliveryStatusEvent, "error_title")),
        # Another app on the same account may send longer callback data than ours (Meta allows 512).
        correlation_id=fitted_identifier(
            update.correlation_id, max_length=column_length(DeliveryStatusEvent, "correlation_id")
        ),
        occurred_at=believed_event_time(
            channel=update.channel, claimed=update.occurred_at, received_at=update.received_at
        ),
    )


@transaction.atomic
def record_delivery_status(*, update: DeliveryStatusUpdate) -> None:
    update = _storable(update)
    try:
        with transaction.atomic():
            DeliveryStatusEvent.objects.create(
                channel=update.channel,
                account_id=update.account_id,
                external_id=update.external_id,
                status=update.status,
                occurred_at=update.occurred_at,
                correlation_id=update.correlation_id,
                error_code=update.error_code,
                error_title=update.error_title,
                error_detail=update.error_detail,
                details=(
                    {**update.details, "recipient_signal": str(update.recipient_signal)}
                    if update.recipient_signal
                    else update.details
                ),
            )
    except IntegrityError:
        return  # this status of this message was already recorded for this account
    message = _message_for(update)
    if message is None:
        return  # the send's answer is not recorded yet; apply_recorded_statuses runs when it is
    interaction = lock_interaction(message.interaction_id)
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.external_id is None and not Message.objects.filter(external_id=update.external_id).exists():
        # The send's answer was lost, but the channel accepted it: this is its id. Unless another message
        # (another account's, or a customer's) holds it already: then whose it is cannot be told; nothing is linked.
        message.external_id = update.external_id
        message.accepted_at = update.occurred_at
        save_message_change(interaction=interaction, message=message, fields=["external_id", "accepted_at"])
    if message.external_id == update.external_id:
        apply_recorded_statuses(message=message, interaction=interaction)


def apply_recorded_statuses(*, message, interaction) -> None:
    """Moves a locked message to the furthest status recorded for its channel id, whatever order they came in.

    Only statuses that came for the message's own account count: another account may have named its id.
    """
    channel_user = interaction.channel_user
    best = None
    recorded = DeliveryStatusEvent.objects.filter(
        channel=channel_user.channel, account_id=channel_user.account_id, external_id=message.external_id
    )
    for event in recorded:
        current = best.status if best else message.status
        if status_can_advance(current=current, new=event.status):
            best = event
    if best is None:
        return
    message.status = best.status
    message.status_at = best.occurred_at
    # A failure's reason stays only while the message stands failed; a later delivery clears it.
    failed = best if best.status == MessageStatus.FAILED else None
    message.error_code = failed.error_code if failed else ""
    message.error_title = failed.error_title if failed else ""
    message.error_detail = failed.error_detail if failed else ""
    fields = ["status", "status_at", "error_code", "error_title", "error_detail"]
    save_message_change(interaction=interaction, message=message, fields=fields)
    signal = failed.details.get("recipient_signal") if failed else None
    if signal:
        apply_recipient_signal(channel_user=interaction.channel_user, signal=signal, at=failed.occurred_at)
