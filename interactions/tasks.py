"""Thin Celery tasks: ids in, a service call, nothing else."""

from celery import shared_task


@shared_task(bind=True, max_retries=None, acks_late=True)
def deliver_message(self, message_id: int) -> None:
    from interactions.services.outbound import deliver_queued_message

    retry_in = deliver_queued_message(message_id=message_id)
    if retry_in is not None:
        raise self.retry(countdown=max(retry_in.total_seconds(), 0.05))


@shared_task(bind=True, max_retries=None, acks_late=True)
def record_accepted_send(self, message_id: int, attempt_id: int, external_id: str) -> None:
    """Retried until the database takes it: the message is not sent again while its attempt is unrecorded."""
    from django.db import DatabaseError

    from interactions.services.outbound import record_accepted_send as record

    try:
        record(message_id=message_id, attempt_id=attempt_id, external_id=external_id)
    except DatabaseError as problem:
        raise self.retry(exc=problem, countdown=min(2 ** (self.request.retries + 1), 60)) from problem


@shared_task
def reconcile_stuck_messages() -> int:
    from interactions.services.outbound import enqueue_stuck_deliveries

    return enqueue_stuck_deliveries()


@shared_task(bind=True, max_retries=3, acks_late=True)
def send_read_receipts(self, interaction_id: int) -> None:
    from interactions.services.receipts import send_read_receipts as send

    if send(interaction_id=interaction_id):
        raise self.retry(countdown=2 ** (self.request.retries + 1))


@shared_task(bind=True, max_retries=2, acks_late=True)
def send_typing_indicator(self, interaction_id: int) -> None:
    """Retried only briefly: an indicator that comes late is worse than none."""
    from interactions.services.receipts import send_read_receipts as send

    if send(interaction_id=interaction_id, typing=True):
        raise self.retry(countdown=1)


@shared_task(bind=True, max_retries=None, acks_late=True)
def download_inbound_media(self, attachment_id: int) -> None:
    from interactions.services.media import store_inbound_media

    retry_in = store_inbound_media(attachment_id=attachment_id)
    if retry_in is not None:
        raise self.retry(countdown=retry_in.total_seconds())


@shared_task
def sweep_pending_media() -> int:
    from interactions.services.media import enqueue_stuck_downloads

    return enqueue_stuck_downloads()


@shared_task(acks_late=True)
def fetch_link_preview(preview_id: int) -> None:
    from interactions.services.link_previews import fetch_and_store_link_preview

    fetch_and_store_link_preview(preview_id=preview_id)


@shared_task(acks_late=True)
def send_system_message(
    channel_user_id: int,
    reason: str,
    idempotency_key: str,
    text: str = "",
    template_name: str = "",
    template_language: str = "en_US",
    template_values: dict | None = None,
) -> str:
    """Safe to run twice: the idempotency key makes the second run return the first one's outcome."""
    from interactions.models import ChannelUser
    from interactions.services.system_messages import SystemMessageContent
    from interactions.services.system_messages import send_system_message as send
    from interactions.services.templates import TemplateValues

    result = send(
        channel_user=ChannelUser.objects.filter(pk=channel_user_id).first(),
        content=SystemMessageContent(
            text=text,
            template_name=template_name,
            template_language=template_language,
            template_values=TemplateValues.from_json(template_values),
        ),
        reason=reason,
        idempotency_key=idempotency_key,
        recipient=f"channel user {channel_user_id}",
    )
    return result.notification.outcome


@shared_task(bind=True, max_retries=None, acks_late=True)
def run_inbound_listener(self, run_id: int) -> None:
    from interactions.services.listeners import run_inbound_listener as run

    retry_in = run(run_id=run_id)
    if retry_in is not None:
        raise self.retry(countdown=max(retry_in.total_seconds(), 0.05))


@shared_task
def sweep_listener_runs() -> int:
    from interactions.services.listeners import enqueue_lost_listener_runs

    return enqueue_lost_listener_runs()


@shared_task
def sync_message_templates() -> int:
    from interactions.services.templates import sync_message_templates as sync

    return sync()
