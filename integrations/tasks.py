"""Thin Celery tasks: ids in, a service call, nothing else."""

from celery import shared_task


@shared_task(bind=True, max_retries=None, acks_late=True)
def deliver_webhook(self, delivery_id: int) -> None:
    from integrations.services import LONGEST_TASK_WAIT, deliver

    retry_in = deliver(delivery_id=delivery_id)
    if retry_in is not None and retry_in <= LONGEST_TASK_WAIT:
        raise self.retry(countdown=retry_in.total_seconds())


@shared_task
def sweep_webhook_deliveries() -> int:
    from integrations.services import enqueue_due_deliveries

    return enqueue_due_deliveries()
