"""Agents' replies: written to the outbox first, then handed to the channel by a task, once."""

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from interactions.audience import held_by_someone_else
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
from interactions.people import person_name
from interactions.policies import (
    MAX_DELIVERY_ATTEMPTS,
    UNKNOWN_OUTCOME_GRACE,
    failed_send_may_be_retried,
    retry_delay,
    unknown_outcome_wait,
)
from interactions.roles import may_send_messages
from interactions.services.assignment import claim_interaction, prepare_claim
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


class NotTheirConversation(ActionRefused):
    """Another agent has the interaction: a colleague who sees it may read along and note, not act in it (403)."""


class IdempotencyKeyReused(ActionRefused):
    """A request's idempotency key was already used for a different request (422, as the IETF draft has it)."""


KEY_REUSED = "This Idempotency-Key was already used for a different message; use a new key for a new message."


def earlier_agent_message(
    *, author: AbstractBaseUser, idempotency_key: str | None, interaction: Interaction, request: tuple
) -> Message | None:
    """The message an earlier request with this key sent, when this request (`kind, text, content, reply_to_id`)
    is its retry: a client that got no answer, or a 5xx from a server that failed after committing, may send again,
    and it is answered with that message, whatever has changed since (the conversation closed or passed to a
    colleague). Raises IdempotencyKeyReused when the key sent something else."""
    if not idempotency_key:
        return None
    earlier = Message.objects.filter(author=author, idempotency_key=idempotency_key).first()
    if earlier is None:
        return None
    if (earlier.interaction_id, earlier.kind, earlier.text, earlier.content, earlier.reply_to_id) != (
        interaction.pk,
        *request,
    ):
        raise IdempotencyKeyReused(KEY_REUSED)
    return earlier


def lock_interaction_to_act(interaction_id: int, *, agent: AbstractBaseUser, action: str) -> Interaction:
    """The one gate of an agent's act in an interaction, towards the customer or on its state (any message, a
    reaction, a retry, hold, resume, close, marking it seen): their role, then the audience policy's say on whose
    it is, asked of the locked row so that a reassignment cannot slip in between. Returns the interaction, locked."""
    _refuse_unless_an_agent(agent, action=action)
    interaction = lock_interaction(interaction_id)
    _refuse_a_colleague(interaction, agent=agent)
    return interaction


def refuse_unless_theirs_to_act_in(interaction: Interaction, *, agent: AbstractBaseUser, action: str) -> None:
    """The same gate for a hint that takes no lock (typing), asked of the interaction as read."""
    _refuse_unless_an_agent(agent, action=action)
    _refuse_a_colleague(interaction, agent=agent)


def _refuse_unless_an_agent(agent: AbstractBaseUser, *, action: str) -> None:
    if not may_send_messages(agent):
        raise ActionRefused(f"Only agents may {action}.")


def _refuse_a_colleague(interaction: Interaction, *, agent: AbstractBaseUser) -> None:
    if held_by_someone_else(agent, interaction):
        holder = person_name(interaction.assigned_to)
        raise NotTheirConversation(
            f"Interaction {interaction.number} is {holder}'s: only they may write to the customer, change its "
            "state or mark it seen. You can read along and add internal notes."
        )


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
    *,
    interaction: Interaction,
    author: AbstractBaseUser,
    text: str,
    reply_to_id: int | None = None,
    idempotency_key: str | None = None,
) -> Message:
    """Returns at once: a slow channel must never hold up the agent."""
    text = text.strip()
    if not text:
        raise ActionRefused("The message is empty.")
    refuse_overlong_text(channel=interaction.subtype, text=text)
    earlier = earlier_agent_message(
        author=author,
        idempotency_key=idempotency_key,
        interaction=interaction,
        request=(MessageKind.TEXT, text, {}, reply_to_id),
    )
    if earlier is not None:
        return earlier
    return queue_agent_message(
        interaction=interaction,
        author=author,
        kind=MessageKind.TEXT,
        text=text,
        reply_to_id=reply_to_id,
        idempotency_key=idempotency_key,
    )


def queue_agent_message(
    *,
    interaction: Interaction,
    author: AbstractBaseUser,
    kind: str,
    text: str,
    content: dict | None = None,
    reply_to_id: int | None = None,
    idempotency_key: str | None = None,
) -> Message:
    """The one way an agent's message of any kind enters the outbox: role, open interaction, the reply policy
    (window and opt-out), then the row, with the request's idempotency key if it had one. The callers answer a
    retry with `earlier_agent_message` first; a retry that raced its first request finds it here, under the lock.

    Call inside a transaction; the delivery task is queued when it commits.
    """
    check_claim = prepare_claim(interaction_id=interaction.pk, agent=author)  # its locks come before the interaction's
    interaction = lock_interaction_to_act(interaction.pk, agent=author, action="send messages")
    earlier = earlier_agent_message(
        author=author,
        idempotency_key=idempotency_key,
        interaction=interaction,
        request=(kind, text, content or {}, reply_to_id),
    )
    if earlier is not None:
        return earlier
    if not interaction.is_open:
        raise ActionRefused(f"Interaction {interaction.number} is closed.")
    decision = reply_decision_for(channel_user=interaction.channel_user, content=content)
    if not decision.allowed:
        raise ActionRefused(decision.reason)
    reply_to = None
    if reply_to_id is not None:
        reply_to = (
            interaction.messages.filter(pk=reply_to_id)
            .exclude(kind=MessageKind.REACTION)
            .exclude(direction=Direction.INTERNAL)  # the customer never saw a note, so cannot be shown it quoted
            .first()
        )
        if reply_to is None:
            raise ActionRefused(f"Message {reply_to_id} is not a message of interaction {interaction.number}.")
    claim_interaction(interaction=interaction, agent=author, check=check_claim)
    try:
        return queue_outbound_message(
            interaction=interaction,
            author=author,
            kind=kind,
            text=text,
            content=content,
            reply_to=reply_to,
            idempotency_key=idempotency_key,
        )
    except IntegrityError as violation:
        if not idempotency_key or "idempotency_key" not in str(violation):
            raise
        # The same key went to another interaction at the same moment (each held its own lock).
        raise IdempotencyKeyReused(KEY_REUSED) from None


def queue_outbound_message(
    *,
    interaction: Interaction,
    author: AbstractBaseUser | None,
    kind: str,
    text: str,
    content: dict | None = None,
    reply_to: Message | None = None,
    idempotency_key: str | None = None,
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
        idempotency_key=idempotency_key or "",
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
            inbox=channel_adapter(message.interaction.subtype).inbox_progress(),
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
        previous_status=MessageStatus.QUEUED,
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
    previous_status = message.status
    if message.status == MessageStatus.QUEUED:
        message.status = MessageStatus.SENT
        message.status_at = now
        fields += ["status", "status_at"]
    save_message_change(interaction=interaction, message=message, fields=fields, previous_status=previous_status)
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
            previous_status=MessageStatus.QUEUED,
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
    if message.content_removed_at is not None:
        return False  # retention or an erasure removed what it said: nothing is left to send
    adapter = channel_adapter(message.interaction.subtype)
    return failed_send_may_be_retried(
        status=message.status,
        accepted_by_channel=bool(message.external_id),
        retry_can_help=adapter.retry_can_help(error_code=message.error_code),
    )


@transaction.atomic
def retry_failed_message(*, message: Message, by: AbstractBaseUser) -> Message:
    """Puts the same outbox row back in the queue, once: a second click, or a second agent, finds it queued."""
    interaction = lock_interaction_to_act(message.interaction_id, agent=by, action="send messages")
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
    previous_status, message.status = message.status, MessageStatus.QUEUED
    message.status_at = now
    message.error_code = message.error_title = message.error_detail = ""
    message.next_attempt_at = now
    save_message_change(
        interaction=interaction,
        message=message,
        fields=["status", "status_at", "error_code", "error_title", "error_detail", "next_attempt_at"],
        previous_status=previous_status,
    )
    transaction.on_commit(partial(_enqueue_delivery, message.pk))
    return message
