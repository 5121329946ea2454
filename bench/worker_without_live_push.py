"""The project's Celery app with the live workspace pushes of the write path turned off, to measure their share of
the worker's cost (`bench/processing.py --without-live-push`). Never for production: the workspace would go stale.
"""

from celery.signals import worker_process_init

from config.celery import app

__all__ = ["app", "silence_live_pushes"]


def silence_live_pushes() -> None:
    """Neither serialized nor sent: the timeline's pushes (every inbound message and status change) become no-ops."""
    from interactions.services import timeline

    timeline.broadcast_on_commit = lambda *events: None
    timeline.message_changed = timeline.interaction_changed = lambda *args, **kwargs: None
    timeline.messages_changed = timeline.interactions_changed = lambda *args, **kwargs: []


@worker_process_init.connect
def _silence_in_each_process(**_kwargs) -> None:
    silence_live_pushes()
