"""Thin Celery tasks for cases."""

from celery import shared_task


@shared_task
def notify_unannounced_case_changes() -> int:
    from customer_service.services.cases import notify_unannounced_case_changes as notify

    return notify()
