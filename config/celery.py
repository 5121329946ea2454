"""The Celery app. Settings come from Django's, under the CELERY_ prefix."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("whatsdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _no_database_pool_in_prefork_children(**_kwargs) -> None:
    """A prefork child runs one task at a time, and Celery closes its connection, pool and all, around every task:
    a pool reopened for each task would open a spare connection beside the one the task uses. So each task opens
    one connection and closes it. Thread-based workers (`--pool threads`) never get here and keep the pool."""
    from django.conf import settings

    for database in settings.DATABASES.values():
        database.get("OPTIONS", {}).pop("pool", None)
