"""Read receipts and the typing indicator: what the customer sees of an agent reading and typing.

A read receipt goes to the channel once per inbound message and is recorded on it (`read_receipt_sent_at`).
The channel's typing indicator rides on a read receipt (Meta: "status": "read" with a typing indicator, shown
for 25 s or until our reply), so one burst of typing makes one call: a key in Redis lets one through per
interval (the system property `interactions.typing_indicator_seconds`) and interaction, and a sent reply clears it.
"""

import logging
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from interactions.audience import visible_interactions
from interactions.channel_adapters import DeliveryFailed, FailureKind, channel_adapter
from interactions.hints import only_a_hint
from interactions.live import agent_typing, broadcast_on_commit
from interactions.models import OPEN_STATES, Direction, Interaction, Message, MessageKind
from interactions.properties import TYPING_INDICATOR_SECONDS
from interactions.roles import may_send_messages
from interactions.services.outreach import reply_decision_for
from interactions.services.timeline import lock_interaction, save_message_change
from interactions.task_queue import enqueue_task
from properties.accessor import current

logger = logging.getLogger(__name__)

_RECEIPT_LOCK_SECONDS = 60


def _typing_key(interaction_id: int) -> str:
    return f"typing-indicator:{interaction_id}"


def _receipt_lock_key(interaction_id: int) -> str:
    return f"read-receipts:{interaction_id}"


def _enqueue(task_name: str, interaction_id: int) -> None:
    from interactions import tasks

    # A lost receipt or typing hint is not worth failing the agent's action for.
    enqueue_task(getattr(tasks, task_name), interaction_id=interaction_id)


def start_agent_typing(*, agent: AbstractBaseUser, interaction_id: int) -> bool:
    """The composer says its agent is typing. Colleagues see it at once; the customer at most once per interval.

    Returns False when the agent may not type here: not theirs to see, not open, or not theirs to act in (the gate
    of every act, `lock_interaction_to_act`, asked without a lock: typing is only a hint).
    """
    from interactions.services.outbound import ActionRefused, refuse_unless_theirs_to_act_in  # it imports us

    if not may_send_messages(agent):
        return False
    interaction = visible_interactions(
        agent, Interaction.objects.select_related("channel_user").filter(pk=interaction_id, state__in=OPEN_STATES)
    ).first()
    if interaction is None:
        return False
    try:
        refuse_unless_theirs_to_act_in(interaction, agent=agent, action="type to customers")
    except ActionRefused:
        return False
    broadcast_on_commit(agent_typing(interaction_id=interaction.pk, agent=agent))
    # The customer sees "typing…" only where a reply may follow: not after their STOP, not outside the window.
    may_reply = reply_decision_for(channel_user=interaction.channel_user).allowed
    with only_a_hint(f"typing indicator for interaction {interaction.pk}"):
        if may_reply and cache.add(_typing_key(interaction.pk), True, timeout=current(TYPING_INDICATOR_SECONDS)):
            _enqueue("send_typing_indicator", interaction.pk)
    return True


def forget_agent_typing(*, interaction_id: int) -> None:
    """A reply ends the indicator on the customer's phone, so the next burst of typing must show it again."""
    with only_a_hint(f"clearing the typing indicator of interaction {interaction_id}"):
        cache.delete(_typing_key(interaction_id))


def request_read_receipts(*, interaction: Interaction) -> None:
    """An agent is looking at the interaction: unread customer messages get their receipt, from a task."""
    unread = interaction.messages.filter(
        direction=Direction.INBOUND, external_id__isnull=False, read_receipt_sent_at__isnull=True
    )
    if unread.exists():
        transaction.on_commit(partial(_enqueue, "send_read_receipts", interaction.pk))


def send_read_receipts(*, interaction_id: int, typing: bool = False) -> bool:
    """Marks the newest customer message read on the channel, which reads every earlier one too, and records it.

    Safe to run twice and concurrently: a lock per interaction lets one run at a time, and messages already
    recorded are not marked again (a typing indicator is sent on the newest message regardless).
    Returns True when the channel failed in a way worth trying again.
    """
    if not cache.add(_receipt_lock_key(interaction_id), True, timeout=_RECEIPT_LOCK_SECONDS):
        return True  # another run is at it; try again shortly
    try:
        newest = (
            Message.objects.select_related("interaction__channel_user")
            .filter(interaction_id=interaction_id, direction=Direction.INBOUND, external_id__isnull=False)
            # A reaction, or a notice about the customer (a changed number), is not a message the channel reads.
            .exclude(kind__in=[MessageKind.REACTION, MessageKind.NOTICE])
            .order_by("-sequence")
            .first()
        )
        if newest is None:
            return False
        unread = list(
            Message.objects.filter(
                interaction_id=interaction_id,
                direction=Direction.INBOUND,
                sequence__lte=newest.sequence,
                read_receipt_sent_at__isnull=True,
            ).values_list("pk", flat=True)
        )
        if not unread and not typing:
            return False
        try:
            channel_adapter(newest.interaction.subtype).mark_read(newest, typing=typing)
        except DeliveryFailed as failure:
            logger.warning("read receipt for interaction %s failed: %s", interaction_id, failure)
            return failure.kind != FailureKind.PERMANENT
        _record_read_receipts(interaction_id=interaction_id, message_ids=unread)
        return False
    finally:
        cache.delete(_receipt_lock_key(interaction_id))


@transaction.atomic
def _record_read_receipts(*, interaction_id: int, message_ids: list[int]) -> None:
    interaction = lock_interaction(interaction_id)
    now = timezone.now()
    for message in Message.objects.select_for_update().filter(pk__in=message_ids, read_receipt_sent_at__isnull=True):
        message.read_receipt_sent_at = now
        save_message_change(interaction=interaction, message=message, fields=["read_receipt_sent_at"])
