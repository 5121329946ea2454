"""Handing work to Celery: once the transaction that made it commits, and never failing the caller because the
broker is down. Every kind of work handed over this way is recorded in the database first and has a periodic
sweep that enqueues what was lost (a delivery, a download, a webhook delivery, a listener run, a notification).
"""

import logging
from functools import partial

from celery import Task
from django.core.cache import cache
from django.db import transaction

from interactions.durable_effects import held_until_durable
from interactions.hints import only_a_hint

logger = logging.getLogger(__name__)

# How long a task enqueued once per burst counts as pending: a lost one holds back no later one for longer.
PENDING_SECONDS = 30


def enqueue_task(task: Task, *, countdown: float | None = None, **kwargs) -> bool:
    """Returns False, having logged why, when the broker could not take it; its sweep picks it up later."""
    if held_until_durable(partial(enqueue_task, task, countdown=countdown, **kwargs)):
        return True
    try:
        task.apply_async(kwargs=kwargs, countdown=countdown, retry=False)
    except Exception:
        logger.warning("could not enqueue %s(%s); its sweep will", task.name, kwargs, exc_info=True)
        return False
    return True


def enqueue_task_on_commit(task: Task, *, countdown: float | None = None, **kwargs) -> None:
    """Enqueued only once the rows the task reads are committed, so a worker never looks for them too early."""
    transaction.on_commit(partial(enqueue_task, task, countdown=countdown, **kwargs))


def enqueue_task_on_commit_once(task: Task, *, key: str, **kwargs) -> None:
    """For work a burst of changes asks for many times over (offer this agent work): once committed, enqueued unless
    a task enqueued under `key` has not started yet. That task calls `task_started(key)` before it reads anything,
    so whatever committed before then is its to see, and a change after it enqueues another. With the cache down,
    every call enqueues (running twice is cheap; missing one is not)."""
    transaction.on_commit(partial(enqueue_task_once, task, key=key, **kwargs))


def enqueue_task_once(task: Task, *, key: str, **kwargs) -> None:
    """Enqueued unless a task enqueued under `key` has not started yet (see `enqueue_task_on_commit_once`)."""
    try:
        if not cache.add(_pending(key), 1, timeout=PENDING_SECONDS):
            return
    except Exception:
        logger.warning("could not mark %s pending; enqueued anyway", key, exc_info=True)
    if not enqueue_task(task, **kwargs):
        task_started(key)  # nothing waits: the next change tries again


def task_started(key: str) -> None:
    """Called by a task enqueued with `enqueue_task_on_commit_once`, before it reads anything."""
    with only_a_hint(f"clearing the pending mark of {key}"):
        cache.delete(_pending(key))


def _pending(key: str) -> str:
    return f"task-pending:{key}"
