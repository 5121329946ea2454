"""Thin tasks for the WhatsApp channel; they run on their own 'webhooks' queue."""

from celery import shared_task


@shared_task(bind=True, max_retries=5, acks_late=True)
def process_webhook_deliveries(self, delivery_ids: list[int]) -> None:
    """One task for a batch of stored deliveries: the per-task cost (broker, claim, marking done) is paid once."""
    from channels_whatsapp.inbox import process_webhook_deliveries as process

    try:
        process(delivery_ids=delivery_ids)
    except Exception as problem:
        raise self.retry(exc=problem, countdown=2 ** (self.request.retries + 1)) from problem


@shared_task(bind=True, max_retries=5, acks_late=True)
def process_webhook_delivery(self, delivery_id: int) -> None:
    """One delivery; kept for tasks enqueued before batches, still waiting in the broker."""
    from channels_whatsapp.inbox import process_webhook_deliveries as process

    try:
        process(delivery_ids=[delivery_id])
    except Exception as problem:
        raise self.retry(exc=problem, countdown=2 ** (self.request.retries + 1)) from problem


@shared_task
def sweep_unprocessed_deliveries() -> int:
    from channels_whatsapp.inbox import enqueue_unprocessed_deliveries

    return enqueue_unprocessed_deliveries()
