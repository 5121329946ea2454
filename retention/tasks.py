"""Thin Celery task: the daily retention run (beat schedule in config/settings/base.py)."""

from celery import shared_task


@shared_task
def apply_retention() -> dict[str, int]:
    from retention.services import apply_retention as apply

    return apply().removed
