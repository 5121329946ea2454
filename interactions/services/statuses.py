"""Applying the channel's delivery statuses: each (message, status) once per account, never stepping backwards."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace

from django.db import IntegrityError, transaction
from django.db.models import Q

from interactions.events import DeliveryStatusUpdate
from interactions.models import DeliveryStatusEvent, Direction, Message, MessageStatus
from interactions.policies import status_can_advance
from interactions.services.event_times import believed_event_time
from interactions.services.recipient_signals import apply_recipient_signal
from interactions.services.timeline import (
    lock_interaction,
    lock_interactions_of_messages,
    save_message_change,
    save_message_changes,
)
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
            _status_event(update).save()
    except IntegrityError:
        return  # this status of this message was already recorded for this account
    message = _message_for(update)
    if message is None:
        return  # the send's answer is not recorded yet; apply_recorded_statuses runs when it is
    _link_and_apply(update, message=message)


def _link_and_apply(update: DeliveryStatusUpdate, *, message: Message) -> None:
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
    recorded = DeliveryStatusEvent.objects.filter(
        channel=channel_user.channel, account_id=channel_user.account_id, external_id=message.external_id
    )
    previous_status = message.status
    best = _advance_to_furthest(message, recorded)
    if best is not None:
        save_message_change(
            interaction=interaction, message=message, fields=STATUS_FIELDS, previous_status=previous_status
        )
        _apply_signal_of(best, interaction=interaction)


STATUS_FIELDS = ["status", "status_at", "error_code", "error_title", "error_detail"]


def _advance_to_furthest(message: Message, recorded: Iterable[DeliveryStatusEvent]) -> DeliveryStatusEvent | None:
    """Sets the message's STATUS_FIELDS from the furthest of the recorded statuses, if any moves it forward;
    returns that status (unsaved), or None when the message stays as it is."""
    best = None
    for event in recorded:
        current = best.status if best else message.status
        if status_can_advance(current=current, new=event.status):
            best = event
    if best is None:
        return None
    message.status = best.status
    message.status_at = best.occurred_at
    # A failure's reason stays only while the message stands failed; a later delivery clears it.
    failed = best if best.status == MessageStatus.FAILED else None
    message.error_code = failed.error_code if failed else ""
    message.error_title = failed.error_title if failed else ""
    message.error_detail = failed.error_detail if failed else ""
    return best


def _apply_signal_of(status: DeliveryStatusEvent, *, interaction) -> None:
    signal = status.details.get("recipient_signal") if status.status == MessageStatus.FAILED else None
    if signal:
        apply_recipient_signal(channel_user=interaction.channel_user, signal=signal, at=status.occurred_at)


def _status_event(update: DeliveryStatusUpdate) -> DeliveryStatusEvent:
    return DeliveryStatusEvent(
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


@transaction.atomic
def record_delivery_statuses(*, updates: Sequence[DeliveryStatusUpdate]) -> None:
    """Many statuses at once (a batch of webhook deliveries), with the outcome of `record_delivery_status` for each
    in any order, in a handful of queries: one insert for all, and each message they name moved once, to the
    furthest status recorded for it.

    A status already recorded changes nothing: its message is already where the recorded statuses put it. A status
    whose message is known only by our correlation id (the send's answer was lost) takes the one-by-one path.
    """
    updates = [_storable(update) for update in updates]
    DeliveryStatusEvent.objects.bulk_create([_status_event(update) for update in updates], ignore_conflicts=True)
    found = _messages_named_by(updates)
    for update in updates:
        if (update.account_id, update.external_id) in found or not update.correlation_id.startswith(CORRELATION_PREFIX):
            continue
        message = _message_for(update)
        if message is not None:
            with transaction.atomic():
                _link_and_apply(update, message=message)
    if found:
        _apply_recorded_statuses_to(sorted({message_id for message_id in found.values()}))


def _messages_named_by(updates: Sequence[DeliveryStatusUpdate]) -> dict[tuple[str, str], int]:
    """Our outbound messages the updates name by channel id: (account, channel id) → message id."""
    wanted = Q()
    for channel, account_id in {(update.channel, update.account_id) for update in updates}:
        ids = {update.external_id for update in updates if (update.channel, update.account_id) == (channel, account_id)}
        wanted |= Q(
            interaction__channel_user__channel=channel,
            interaction__channel_user__account_id=account_id,
            external_id__in=ids,
        )
    rows = Message.objects.filter(wanted, direction=Direction.OUTBOUND).values_list(
        "interaction__channel_user__account_id", "external_id", "pk"
    )
    return {(account_id, external_id): pk for account_id, external_id, pk in rows}


def _apply_recorded_statuses_to(message_ids: list[int]) -> None:
    """`apply_recorded_statuses` for many messages: their customers, interactions and the messages locked in the
    lock order (each kind in id order), the recorded statuses read in one query, the changes saved in two."""
    interactions = lock_interactions_of_messages(message_ids)
    messages = list(Message.objects.select_for_update(of=("self",)).filter(pk__in=message_ids).order_by("pk"))
    wanted = Q()
    for message in messages:
        channel_user = interactions[message.interaction_id].channel_user
        wanted |= Q(channel=channel_user.channel, account_id=channel_user.account_id, external_id=message.external_id)
    recorded: dict[tuple[str, str, str], list[DeliveryStatusEvent]] = defaultdict(list)
    for event in DeliveryStatusEvent.objects.filter(wanted).order_by("pk"):
        recorded[(event.channel, event.account_id, event.external_id)].append(event)
    changed, previous_statuses, signals = [], [], []
    for message in messages:
        interaction = interactions[message.interaction_id]
        channel_user = interaction.channel_user
        previous_status = message.status
        best = _advance_to_furthest(
            message, recorded[(channel_user.channel, channel_user.account_id, message.external_id)]
        )
        if best is not None:
            changed.append((interaction, message))
            previous_statuses.append(previous_status)
            signals.append((best, interaction))
    save_message_changes(changed, fields=STATUS_FIELDS, previous_statuses=previous_statuses)
    for best, interaction in signals:
        _apply_signal_of(best, interaction=interaction)
