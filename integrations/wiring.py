"""Where events come from: the core's in-transaction hooks and the creation of append-only records.

- interaction.assigned / interaction.closed: the core's lifecycle recorders (every change of state or agent).
- message.sent / message.failed: the core's message change recorders (every saved status move, batches included).
- message.received, interaction.opened, consent.changed, case.changed: the row that records each is created
  once (a customer's message, an interaction given its number, a consent record, a case state change), so its
  `post_save` is the one place to hear of it, inside the same transaction.
"""

from functools import partial

from django.db.models.signals import post_delete, post_save

from integrations.events import case_event, consent_event, interaction_event, message_event
from integrations.models import EventType, Subscription
from integrations.services import record_event, record_events, subscriptions_changed


def connect() -> None:
    from consent.models import ConsentRecord
    from customer_service.models import CaseStateChange
    from interactions.models import Interaction, Message
    from interactions.services.lifecycle_listeners import register_lifecycle_recorder
    from interactions.services.timeline import register_message_change_recorder

    register_lifecycle_recorder(_lifecycle_changed)
    register_message_change_recorder(_messages_changed)
    post_save.connect(_message_saved, sender=Message, dispatch_uid="integrations.message")
    post_save.connect(_interaction_saved, sender=Interaction, dispatch_uid="integrations.interaction")
    post_save.connect(_consent_recorded, sender=ConsentRecord, dispatch_uid="integrations.consent")
    post_save.connect(_case_state_changed, sender=CaseStateChange, dispatch_uid="integrations.case")
    post_save.connect(_subscriptions_changed, sender=Subscription, dispatch_uid="integrations.subscription.save")
    post_delete.connect(_subscriptions_changed, sender=Subscription, dispatch_uid="integrations.subscription.delete")


def _lifecycle_changed(interaction, previous_state: str, previous_agent_id: int | None) -> None:
    from interactions.models import CLOSED_STATES

    event = partial(interaction_event, interaction, previous_state=previous_state, previous_agent_id=previous_agent_id)
    if interaction.assigned_to_id is not None and interaction.assigned_to_id != previous_agent_id:
        record_event(EventType.INTERACTION_ASSIGNED, event)
    if interaction.state in CLOSED_STATES and previous_state not in CLOSED_STATES:
        record_event(EventType.INTERACTION_CLOSED, event)


def _messages_changed(changes, fields, previous_statuses) -> None:
    """message.sent on the first move out of queued (into sent, or straight on to delivered or read, statuses
    skipped); message.failed on the move into failed. A save that leaves the status as it was records nothing."""
    from interactions.models import Direction, MessageStatus

    if "status" not in fields:
        return
    got_out = (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ)
    events = []
    for (interaction, message), previous in zip(changes, previous_statuses, strict=True):
        if message.direction != Direction.OUTBOUND or message.status == previous:
            continue
        if previous == MessageStatus.QUEUED and message.status in got_out:
            events.append((EventType.MESSAGE_SENT, partial(message_event, message, interaction)))
        elif message.status == MessageStatus.FAILED:
            events.append((EventType.MESSAGE_FAILED, partial(message_event, message, interaction)))
    record_events(events)


def _message_saved(sender, instance, created: bool, **kwargs) -> None:
    from interactions.models import Direction

    if created and instance.direction == Direction.INBOUND:
        record_event(EventType.MESSAGE_RECEIVED, partial(message_event, instance, instance.interaction))


def _interaction_saved(sender, instance, created: bool, update_fields=None, **kwargs) -> None:
    """Opened: an interaction is given its number once, right after it is created (or created with it)."""
    if (created and instance.number) or (update_fields is not None and set(update_fields) == {"number"}):
        record_event(EventType.INTERACTION_OPENED, partial(interaction_event, instance))


def _consent_recorded(sender, instance, created: bool, **kwargs) -> None:
    if created:
        record_event(EventType.CONSENT_CHANGED, partial(consent_event, instance))


def _case_state_changed(sender, instance, created: bool, **kwargs) -> None:
    if created:
        record_event(EventType.CASE_CHANGED, partial(case_event, instance))


def _subscriptions_changed(sender, **kwargs) -> None:
    subscriptions_changed()
