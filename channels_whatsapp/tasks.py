"""Thin tasks for the WhatsApp channel; they run on their own 'webhooks' queue."""

from celery import shared_task


@shared_task(bind=True, max_retries=5, acks_late=True)
def process_webhook_delivery(self, delivery_id: int) -> None:
    from channels_whatsapp.inbox import process_webhook_delivery as process

    try:
        process(delivery_id=delivery_id)
    except Exception as problem:
        raise self.retry(exc=problem, countdown=2 ** (self.request.retries + 1)) from problem


@shared_task
def sweep_unprocessed_deliveries() -> int:
    from channels_whatsapp.inbox import enqueue_unprocessed_deliveries

    return enqueue_unprocessed_deliveries()
