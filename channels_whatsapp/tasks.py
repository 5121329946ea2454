"""Thin tasks for the WhatsApp channel; they run on their own 'webhooks' queue."""

from celery import shared_task


@shared_task(bind=True, max_retries=5, acks_late=True)
def process_webhook_deliveries(self, delivery_ids: list[int]) -> None:
    """A batch of stored deliveries in one task: the per-task cost (broker, claim, marking done) is paid once.
    Only the deliveries that failed are tried again; a database error tries them all again."""
    from channels_whatsapp.inbox import WebhookEventsFailed
    from channels_whatsapp.inbox import process_webhook_deliveries as process

    countdown = 2 ** (self.request.retries + 1)
    try:
        failed = process(delivery_ids=delivery_ids)
    except Exception as problem:
        raise self.retry(exc=problem, countdown=countdown) from problem
    if failed:
        problem = WebhookEventsFailed(f"webhook deliveries {failed} not processed; see their last error")
        raise self.retry(kwargs={"delivery_ids": failed}, exc=problem, countdown=countdown)


@shared_task
def sweep_unprocessed_deliveries() -> int:
    from channels_whatsapp.inbox import enqueue_unprocessed_deliveries

    return enqueue_unprocessed_deliveries()


@shared_task
def check_business_numbers_health() -> int:
    """Celery beat, every WHATSAPP_HEALTH_CHECK_SECONDS: each active number's token, quality and limit."""
    from channels_whatsapp.number_health import check_all_numbers

    return check_all_numbers()
