"""Thin Celery tasks for cases and catalog requests."""

from celery import shared_task


@shared_task
def notify_unannounced_case_changes() -> int:
    """Cases' and catalog requests' changes whose notification was lost (the name kept for the beat schedule)."""
    from customer_service.services.cases import notify_unannounced_case_changes as notify_cases
    from customer_service.services.catalog import notify_unannounced_request_changes as notify_requests

    return notify_cases() + notify_requests()
