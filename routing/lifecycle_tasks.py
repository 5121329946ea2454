"""Thin Celery tasks of the conversation lifecycle: a service call, nothing else."""

from celery import shared_task


@shared_task
def sweep_idle_interactions() -> dict[str, int]:
    """Run by beat every minute: reminders to customers who stopped answering, then closing their conversations."""
    from routing.services.idle import remind_or_close_idle_interactions

    sweep = remind_or_close_idle_interactions()
    return {"reminded": sweep.reminded, "closed": sweep.closed}
