"""The Celery app. Settings come from Django's, under the CELERY_ prefix."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("whatsdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# How long a prefork child keeps its PostgreSQL connection between tasks before opening a fresh one.
PREFORK_CONNECTION_MAX_AGE = 600


@worker_process_init.connect
def _one_persistent_connection_per_prefork_child(**_kwargs) -> None:
    """A prefork child runs one task at a time on one thread, so it keeps one connection from task to task.

    Opening a PostgreSQL session per task cost more than most tasks' work; a pool in each child would only hold a
    spare beside the one in use. Celery's own close around every task is off (CELERY_DB_REUSE_MAX) and replaced by
    Django's request rule below: a connection is closed only once it errs or grows old. Thread-based workers
    (`--pool threads`) never get here: they keep the pool, and each task hands its connection back to it.
    """
    from django.conf import settings

    for database in settings.DATABASES.values():
        if database.get("OPTIONS", {}).pop("pool", None) is not None:
            database["CONN_MAX_AGE"] = PREFORK_CONNECTION_MAX_AGE


@task_prerun.connect
@task_postrun.connect
def _close_broken_or_old_connections(task=None, **_kwargs) -> None:
    """What Django does around every request: a connection that failed (PostgreSQL restarted) or outlived its age
    is closed, so the next query opens a working one; under a pool, the connection goes back to it. A task run
    eagerly runs inside its caller's transaction, which must be left alone."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
