"""What the worker would do, for tests that run in-process without one: a change's offers (and a newly queued
item's offer and waiting message) are Celery tasks enqueued once it commits; `committing` runs them here."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

import pytest

from interactions.task_queue import enqueue_task, enqueue_task_once
from routing.queue_tasks import offer_then_tell_the_wait_task
from routing.tasks import offer_next_items_task

# Offers that make offers (a withdrawal, an auto-accept) settle within a few passes; more means a loop.
MAX_PASSES = 10
WORKER_TASKS = (offer_next_items_task, offer_then_tell_the_wait_task)


def enqueued_tasks(callbacks) -> list[tuple]:
    """The offering and queueing tasks these on-commit callbacks enqueue: (task, the keyword arguments it gets)."""
    return [
        (
            callback.args[0],
            {name: value for name, value in callback.keywords.items() if name not in ("key", "countdown")},
        )
        for callback in callbacks
        if isinstance(callback, partial)
        and callback.func in (enqueue_task, enqueue_task_once)
        and callback.args[0] in WORKER_TASKS
    ]


def enqueued_offers(callbacks) -> list[dict]:
    """The offering tasks among them, as the keyword arguments each is called with."""
    return [kwargs for task, kwargs in enqueued_tasks(callbacks) if task is offer_next_items_task]


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    """`with committing():` runs what the block leaves for after its commit, then the offering and queueing tasks
    it enqueued (and those they enqueue), in order, as the worker would take them."""

    @contextmanager
    def commit() -> Iterator[list]:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            yield callbacks
        pending = enqueued_tasks(callbacks)
        for _ in range(MAX_PASSES):
            if not pending:
                return
            with django_capture_on_commit_callbacks(execute=True) as more:
                for task, kwargs in pending:
                    task(**kwargs)
            pending = enqueued_tasks(more)
        raise AssertionError(f"tasks kept enqueueing tasks after {MAX_PASSES} passes")

    return commit
