"""Agents' replies: written to the outbox first, then handed to the channel by a task, once."""

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from interactions.channel_adapters import DeliveryFailed, FailureKind, channel_adapter, channel_capabilities
from interactions.models import (
    DeliveryAttempt,
    DeliveryOutcome,
    Direction,
    Interaction,
    Message,
    MessageKind,
    MessageStatus,
    MessageTemplate,
)
from interactions.pacing import SendSlot, reserve_send_slot
from interactions.policies import (
    MAX_DELIVERY_ATTEMPTS,
    UNKNOWN_OUTCOME_GRACE,
    failed_send_may_be_retried,
    retry_delay,
    unknown_outcome_wait,
)
from interactions.roles import may_send_messages
from interactions.services.assignment import claim_interaction
from interactions.services.outreach import delivery_decision_for, outreach_decision_for, reply_decision_for
from interactions.services.receipts import forget_agent_typing
from interactions.services.recipient_signals import apply_recipient_signal
from interactions.services.statuses import apply_recorded_statuses
from interactions.services.timeline import append_message, lock_interaction, save_message_change
from interactions.task_queue import enqueue_task

logger = logging.getLogger(__name__)

REFUSED_BY_CONSENT = "opted_out"  # the error code of a message the consent policy stopped before the channel


class ActionRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MessageRefused(ActionRefused):
    """The message itself breaks the channel's rules (its length, its file): editing it helps, waiting does not."""


def refuse_overlong_text(*, channel: str, text: str) -> None:
    """Every text the business sends is held to its channel's limit, counted in characters."""
    limit = channel_capabilities(channel).text_limit
    if len(text) > limit:
        raise MessageRefused(f"The message is {len(text)} characters long; at most {limit} are allowed.")


def _enqueue_delivery(message_id: int, countdown: float | None = None) -> None:
    from interactions.tasks import deliver_message

    enqueue_task(deliver_message, countdown=countdown, message_id=message_id)  # else the reconciliation sweep will


@transaction.atomic
def send_agent_reply(
    *, interaction: Interaction, author: AbstractBaseUser, text: str, reply_to_id: int | None = None
) -> Message:
    """Returns at once: a slow channel must never hold up the agent."""
    text = text.strip()
    if not text:
        raise ActionRefused("The message is empty.")
    refuse_overlong_text(channel=interaction.subtype, text=text)
    return queue_agent_message(
        interaction=interaction, author=author, kind=MessageKind.TEXT, text=text, reply_to_id=reply_to_id
    )


def queue_agent_message(
    *,
    interaction: Interaction,
    author: AbstractBaseUser,
    kind: str,
    text: str,
    content: dict | None = None,
    reply_to_id: int | None = None,
) -> Message:
    """The one way an agent's message of any kind enters the outbox: role, open interaction, the reply policy
    (window and opt-out), then the row.

    Call inside a transaction; the delivery task is queued when it commits.
    """
    if not may_send_messages(author):
        raise ActionRefused("Only agents may send messages.")
    interaction = lock_interaction(interaction.pk)
    if not interaction.is_open:
        raise ActionRefused(f"Interaction {interaction.number} is closed.")
    decision = reply_decision_for(channel_user=interaction.channel_user, content=content)
    if not decision.allowed:
        raise ActionRefused(decision.reason)
    reply_to = None
    if reply_to_id is not None:
        reply_to = interaction.messages.filter(pk=reply_to_id).exclude(kind=MessageKind.REACTION).first()
        if reply_to is None:
            raise ActionRefused(f"Message {reply_to_id} is not a message of interaction {interaction.number}.")
    claim_interaction(interaction=interaction, agent=author)
    return queue_outbound_message(
        interaction=interaction, author=author, kind=kind, text=text, content=content, reply_to=reply_to
    )


def queue_outbound_message(
    *,
    interaction: Interaction,
    author: AbstractBaseUser | None,
    kind: str,
    text: str,
    content: dict | None = None,
    reply_to: Message | None = None,
) -> Message:
    """Puts a message in a locked interaction's outbox; its delivery is enqueued once the transaction commits."""
    now = timezone.now()
    message = append_message(
        interaction=interaction,
        direction=Direction.OUTBOUND,
        kind=kind,
        text=text,
        content=content or {},
        reply_to=reply_to,
        author=author,
        status=MessageStatus.QUEUED,
        status_at=now,
        sent_at=now,
        next_attempt_at=now,
    )
    transaction.on_commit(partial(_enqueue_delivery, message.pk))
    transaction.on_commit(partial(forget_agent_typing, interaction_id=interaction.pk))
    return message


@dataclass(frozen=True, slots=True)
class _AttemptPlan:
    message: Message | None = None  # to send now, with its interaction and customer; `attempt_id` is its attempt
    attempt_id: int | None = None
    slot: SendSlot | None = None  # its pacing slot: waited for in this thread, then sent
    wait: timedelta | None = None
    give_up: bool = False
    refusal: str = ""  # the consent policy refuses it now (e.g. the customer opted out since it was queued)


def _plan_attempt(message_id: int) -> _AttemptPlan:
    """Decides, under the message's lock, whether to try now, later (wait) or never (neither)."""
    now = timezone.now()
    message = (
        Message.objects.select_for_update(of=("self",))  # alone: the policies read the joined rows, never lock them
        .select_related("interaction__channel_user")
        .filter(pk=message_id, direction=Direction.OUTBOUND)
        .first()
    )
    if message is None or message.status != MessageStatus.QUEUED or message.external_id:
        return _AttemptPlan()
    if message.next_attempt_at and message.next_attempt_at > now:
        return _AttemptPlan(wait=message.next_attempt_at - now)
    attempts = list(message.attempts.order_by("number"))
    unsettled = next((a for a in reversed(attempts) if a.outcome in ("", DeliveryOutcome.UNKNOWN)), None)
    if unsettled is not None:
        wait = unknown_outcome_wait(
            started_at=unsettled.started_at,
            now=now,
            events_applied_through=channel_adapter(message.interaction.subtype).events_applied_through(now=now),
        )
        if wait is not None:
            # Recorded, so the reconciliation sweep leaves it to its own countdown.
            message.next_attempt_at = now + wait
            message.save(update_fields=["next_attempt_at"])
            return _AttemptPlan(wait=wait)
        # No status named it within the grace period: the channel never accepted it.
        unsettled.outcome = DeliveryOutcome.RETRYABLE
        unsettled.finished_at = unsettled.finished_at or now
        unsettled.save(update_fields=["outcome", "finished_at"])
    if len(attempts) >= MAX_DELIVERY_ATTEMPTS:
        return _AttemptPlan(give_up=True)
    decision = delivery_decision_for(message=message)
    if not decision.allowed:
        return _AttemptPlan(refusal=decision.reason)
    slot = reserve_send_slot(channel_adapter(message.interaction.subtype).rate_limits(message))
    if not slot.reserved:
        # Recorded, so the reconciliation sweep leaves a paced message to its own countdown.
        message.next_attempt_at = now + timedelta(seconds=slot.wait)
        message.save(update_fields=["next_attempt_at"])
        return _AttemptPlan(wait=timedelta(seconds=slot.wait))
    attempt = DeliveryAttempt.objects.create(message=message, number=len(attempts) + 1, started_at=now)
    return _AttemptPlan(message=message, attempt_id=attempt.pk, slot=slot)


def deliver_queued_message(*, message_id: int) -> timedelta | None:
    """Hands one outbox message to its channel. Returns when to call again, or None when done.

    Safe to run any number of times, concurrently too: the attempt is planned under a lock, and a message
    no longer queued, or with an attempt whose outcome is unknown, is not sent again.
    """
    with transaction.atomic():
        plan = _plan_attempt(message_id)
    if plan.give_up:
        _fail_queued_message(
            message_id=message_id, detail=f"No answer from the channel after {MAX_DELIVERY_ATTEMPTS} attempts."
        )
        return None
    if plan.refusal:
        _fail_queued_message(
            message_id=message_id,
            code=REFUSED_BY_CONSENT,
            title="Not sent: the customer opted out",
            detail=plan.refusal,
        )
        return None
    if plan.message is None:
        return plan.wait
    message = plan.message
    plan.slot.wait_for_it()
    try:
        external_id = channel_adapter(message.interaction.subtype).send(message)
    except DeliveryFailed as failure:
        return _record_failed_attempt(message=message, attempt_id=plan.attempt_id, failure=failure)
    except Exception as problem:
        # Our side broke before or while handing it over (a file gone from storage): an attempt like any
        # other, retried with backoff until the last, then shown as failed.
        logger.exception("sending message %s failed unexpectedly", message_id)
        failure = DeliveryFailed(
            kind=FailureKind.RETRYABLE, code="internal", title="Could not hand the message over", detail=repr(problem)
        )
        return _record_failed_attempt(message=message, attempt_id=plan.attempt_id, failure=failure)
    try:
        _record_accepted_attempt(message=message, attempt_id=plan.attempt_id, external_id=external_id)
    except Exception:
        # The channel has it: sending again would deliver it twice. Recorded later, by a task carrying its answer.
        logger.exception(
            "message %s was accepted as %s but could not be recorded; recording later", message_id, external_id
        )
        _enqueue_recording(message_id=message_id, attempt_id=plan.attempt_id, external_id=external_id)
    return None


def _enqueue_recording(*, message_id: int, attempt_id: int, external_id: str) -> None:
    from interactions.tasks import record_accepted_send

    enqueue_task(record_accepted_send, message_id=message_id, attempt_id=attempt_id, external_id=external_id)


def record_accepted_send(*, message_id: int, attempt_id: int, external_id: str) -> None:
    """What the channel answered to a send whose recording failed (the database went away in between).

    Until it is recorded, the attempt's outcome is unknown, so the message is not sent again; its status webhook
    may link it first, by our correlation id, and this then only closes the attempt.
    """
    message = Message.objects.only("pk", "interaction_id").get(pk=message_id)
    _record_accepted_attempt(message=message, attempt_id=attempt_id, external_id=external_id)


@transaction.atomic
def _fail_queued_message(*, message_id: int, detail: str, code: str = "", title: str = "") -> None:
    """A message the channel never accepted is shown failed, with why: its own code and title, or else the last
    attempt's (every attempt used up)."""
    message = Message.objects.get(pk=message_id)
    interaction = lock_interaction(message.interaction_id)
    message = Message.objects.select_for_update().get(pk=message_id)
    if message.status != MessageStatus.QUEUED or message.external_id:
        return
    if not code:
        last = message.attempts.order_by("-number").first()
        code, title = (last.error_code, last.error_title) if last else ("", "")
    message.status = MessageStatus.FAILED
    message.status_at = timezone.now()
    message.error_code = code
    message.error_title = title or "Delivery failed"
    message.error_detail = detail
    message.next_attempt_at = None
    save_message_change(
        interaction=interaction,
        message=message,
        fields=["status", "status_at", "error_code", "error_title", "error_detail", "next_attempt_at"],
    )


@transaction.atomic
def _record_accepted_attempt(*, message: Message, attempt_id: int, external_id: str) -> None:
    """`message` as planned; it is read again under the locks, since a status webhook may have linked it."""
    now = timezone.now()
    interaction = lock_interaction(message.interaction_id)
    message = Message.objects.select_for_update().get(pk=message.pk)
    DeliveryAttempt.objects.filter(pk=attempt_id).update(outcome=DeliveryOutcome.ACCEPTED, finished_at=now)
    if message.external_id:
        return  # a status webhook carrying our correlation id linked it already
    message.external_id = external_id
    message.accepted_at = now
    message.next_attempt_at = None
    fields = ["external_id", "accepted_at", "next_attempt_at"]
    if message.status == MessageStatus.QUEUED:
        message.status = MessageStatus.SENT
        message.status_at = now
        fields += ["status", "status_at"]
    save_message_change(interaction=interaction, message=message, fields=fields)
    apply_recorded_statuses(message=message, interaction=interaction)


@transaction.atomic
def _record_failed_attempt(*, message: Message, attempt_id: int, failure: DeliveryFailed) -> timedelta | None:
    """`message` as planned; it is read again under the locks."""
    now = timezone.now()
    message_id = message.pk
    interaction = lock_interaction(message.interaction_id)
    message = Message.objects.select_for_update().get(pk=message_id)
    attempt = DeliveryAttempt.objects.get(pk=attempt_id)
    attempt.finished_at = now
    attempt.error_code = failure.code
    attempt.error_title = failure.title
    outcome_by_kind = {
        FailureKind.RETRYABLE: DeliveryOutcome.RETRYABLE,
        FailureKind.PERMANENT: DeliveryOutcome.REJECTED,
        FailureKind.UNKNOWN: DeliveryOutcome.UNKNOWN,
    }
    attempt.outcome = outcome_by_kind[failure.kind]
    attempt.save(update_fields=["finished_at", "error_code", "error_title", "outcome"])
    if failure.recipient_signal is not None:
        apply_recipient_signal(channel_user=interaction.channel_user, signal=failure.recipient_signal, at=now)
    if message.status != MessageStatus.QUEUED or message.external_id:
        return None
    if failure.kind == FailureKind.UNKNOWN:
        logger.warning("outcome of sending message %s is unknown; reconciling before any retry", message_id)
        wait = UNKNOWN_OUTCOME_GRACE
    else:
        wait = retry_delay(attempt=attempt.number, retry_after=failure.retry_after)
    if failure.kind == FailureKind.PERMANENT or wait is None or attempt.number >= MAX_DELIVERY_ATTEMPTS:
        message.status = MessageStatus.FAILED
        message.status_at = now
        message.error_code = failure.code
        message.error_title = failure.title or "Delivery failed"
        message.error_detail = failure.detail
        message.next_attempt_at = None
        save_message_change(
            interaction=interaction,
            message=message,
            fields=["status", "status_at", "error_code", "error_title", "error_detail", "next_attempt_at"],
        )
        return None
    message.next_attempt_at = now + wait
    message.save(update_fields=["next_attempt_at"])
    return wait


def queued_messages_needing_delivery(*, now=None) -> list[int]:
    """Outbox rows whose task may have been lost (broker restart, enqueue failure): due and untouched."""
    now = now or timezone.now()
    stale = now - timedelta(minutes=1)
    return list(
        Message.objects.filter(
            direction=Direction.OUTBOUND,
            status=MessageStatus.QUEUED,
            external_id__isnull=True,
            next_attempt_at__lte=stale,
        ).values_list("pk", flat=True)[:500]
    )


def enqueue_stuck_deliveries() -> int:
    message_ids = queued_messages_needing_delivery()
    for message_id in message_ids:
        _enqueue_delivery(message_id)
    return len(message_ids)


def _refusal_to_send_again(*, message: Message, channel_user) -> str:
    """The rule the message was first sent under, asked again now: a template answers to the outreach policy
    (which knows the window does not bind it, and whether the customer has opted out since), any other kind to
    the reply policy (the window, and no message after an opt-out)."""
    if message.kind == MessageKind.TEMPLATE:
        template_id = (message.content.get("template") or {}).get("id")
        template = MessageTemplate.objects.filter(pk=template_id).first()
        if template is None:
            return "The template of this message no longer exists; choose another one."
        decision = outreach_decision_for(channel_user=channel_user, template=template)
    else:
        decision = reply_decision_for(channel_user=channel_user, content=message.content)
    return "" if decision.allowed else decision.reason


def failed_message_may_be_retried(message: Message) -> bool:
    if message.direction != Direction.OUTBOUND or message.status != MessageStatus.FAILED:
        return False
    adapter = channel_adapter(message.interaction.subtype)
    return failed_send_may_be_retried(
        status=message.status,
        accepted_by_channel=bool(message.external_id),
        retry_can_help=adapter.retry_can_help(error_code=message.error_code),
    )


@transaction.atomic
def retry_failed_message(*, message: Message, by: AbstractBaseUser) -> Message:
    """Puts the same outbox row back in the queue, once: a second click, or a second agent, finds it queued."""
    if not may_send_messages(by):
        raise ActionRefused("Only agents may send messages.")
    interaction = lock_interaction(message.interaction_id)
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.status != MessageStatus.FAILED:
        raise ActionRefused(f"Only a failed message can be sent again; this one is {message.status}.")
    if not failed_message_may_be_retried(message):
        reason = message.error_title or "the channel refused it"
        raise ActionRefused(f"Sending this message again cannot succeed ({reason}); write a new one instead.")
    if not interaction.is_open:
        raise ActionRefused(f"Interaction {interaction.number} is closed.")
    refusal = _refusal_to_send_again(message=message, channel_user=interaction.channel_user)
    if refusal:
        raise ActionRefused(refusal)
    now = timezone.now()
    message.status = MessageStatus.QUEUED
    message.status_at = now
    message.error_code = message.error_title = message.error_detail = ""
    message.next_attempt_at = now
    save_message_change(
        interaction=interaction,
        message=message,
        fields=["status", "status_at", "error_code", "error_title", "error_detail", "next_attempt_at"],
    )
    transaction.on_commit(partial(_enqueue_delivery, message.pk))
    return message
