"""Thin tasks for the WhatsApp channel; they run on their own 'webhooks' queue."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=5, acks_late=True)
def process_webhook_deliveries(self, delivery_ids: list[int]) -> None:
    """The deliveries the webhook stored together (or the sweep found); those that fail are retried, the rest not."""
    from channels_whatsapp.inbox import process_webhook_delivery

    failed, problem = [], None
    for delivery_id in delivery_ids:
        try:
            process_webhook_delivery(delivery_id=delivery_id)
        except Exception as error:
            logger.warning("webhook delivery %s not processed: %r", delivery_id, error)
            failed.append(delivery_id)
            problem = error
    if failed:
        countdown = 2 ** (self.request.retries + 1)
        raise self.retry(kwargs={"delivery_ids": failed}, exc=problem, countdown=countdown) from problem


@shared_task
def sweep_unprocessed_deliveries() -> int:
    from channels_whatsapp.inbox import enqueue_unprocessed_deliveries

    return enqueue_unprocessed_deliveries()
