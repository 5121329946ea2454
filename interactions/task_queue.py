"""Handing work to Celery: once the transaction that made it commits, and never failing the caller because the
broker is down. Every kind of work handed over this way is recorded in the database first and has a periodic
sweep that enqueues what was lost (a delivery, a download, a webhook delivery, a listener run, a notification).
"""

import logging
from functools import partial

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_task(task: Task, *, countdown: float | None = None, **kwargs) -> bool:
    """Returns False, having logged why, when the broker could not take it; its sweep picks it up later."""
    try:
        task.apply_async(kwargs=kwargs, countdown=countdown, retry=False)
    except Exception:
        logger.warning("could not enqueue %s(%s); its sweep will", task.name, kwargs, exc_info=True)
        return False
    return True


def enqueue_task_on_commit(task: Task, *, countdown: float | None = None, **kwargs) -> None:
    """Enqueued only once the rows the task reads are committed, so a worker never looks for them too early."""
    transaction.on_commit(partial(enqueue_task, task, countdown=countdown, **kwargs))
