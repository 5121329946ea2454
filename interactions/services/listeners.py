"""Inbound listeners: how routing and the virtual agent hear of each new customer message, durably.

A listener is registered by name at start-up (`AppConfig.ready`, so the web and worker processes agree on the
names). Recording a message records one run per listener in the same transaction; each run is its own task,
retried with backoff, its attempts and last error kept (admin: Listener runs), and a periodic sweep enqueues runs
whose task was lost. One listener failing never holds up the webhook or the other listeners.
"""

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from interactions.models import ListenerRun, ListenerRunState, Message
from interactions.policies import LISTENER_RUN_LEASE, listener_run_is_stale, retry_delay
from interactions.task_queue import enqueue_task, enqueue_task_on_commit

logger = logging.getLogger(__name__)

InboundListener = Callable[[Message], None]
MessageFilter = Callable[[Message], bool]


@dataclass(frozen=True, slots=True)
class RegisteredListener:
    listener: InboundListener
    wants: MessageFilter | None  # None: every message


_inbound_listeners: dict[str, RegisteredListener] = {}

# A run waiting for its retry this long past its time has lost its task.
LOST_AFTER = timedelta(minutes=1)


def register_inbound_listener(listener: InboundListener, *, name: str = "", wants: MessageFilter | None = None) -> str:
    """Registers a listener under its dotted path (or `name`); returns the name its runs are recorded under.

    The listener gets the committed message and may run more than once for it (a retry after a failure that
    came late, a worker killed mid-run): it must be safe to repeat. `wants`, if given, is asked inside the
    recording transaction, with the message and its interaction in hand and no query: a run (a row, a task, its
    queries) is recorded only for the messages it wants, so a listener that cares about few messages costs the
    rest nothing. It must never say no to a message the listener would act on.
    """
    name = name or f"{listener.__module__}.{listener.__qualname__}"
    _inbound_listeners[name] = RegisteredListener(listener=listener, wants=wants)
    return name


def schedule_inbound_listeners(message: Message) -> None:
    """Inside the message's transaction: one run per registered listener that wants it, each enqueued once it
    commits."""
    now = timezone.now()
    names = [
        name for name, registered in _inbound_listeners.items() if registered.wants is None or registered.wants(message)
    ]
    if not names:
        return
    runs = ListenerRun.objects.bulk_create(
        [ListenerRun(listener=name, message=message, next_attempt_at=now) for name in names]
    )
    from interactions.tasks import run_inbound_listener

    for run in runs:
        enqueue_task_on_commit(run_inbound_listener, run_id=run.pk)


def _start(run_id: int) -> tuple[ListenerRun | None, timedelta | None]:
    """Marks the run running, under its lock; (None, wait) when it is not to run now."""
    now = timezone.now()
    with transaction.atomic():
        run = ListenerRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.state in (ListenerRunState.DONE, ListenerRunState.FAILED):
            return None, None
        if run.state == ListenerRunState.RUNNING and not listener_run_is_stale(started_at=run.started_at, now=now):
            return None, None  # another worker has it
        if run.state == ListenerRunState.PENDING and run.next_attempt_at and run.next_attempt_at > now:
            return None, run.next_attempt_at - now  # enqueued early (by the sweep): wait for its time
        run.state = ListenerRunState.RUNNING
        run.attempts += 1
        run.started_at = now
        run.save(update_fields=["state", "attempts", "started_at"])
    return run, None


def run_inbound_listener(*, run_id: int) -> timedelta | None:
    """Runs one listener for one message. Returns when to try again, or None when done or given up."""
    run, wait = _start(run_id)
    if run is None:
        return wait
    try:
        registered = _inbound_listeners.get(run.listener)
        if registered is None:
            raise LookupError(f"no inbound listener is registered as {run.listener!r} in this process")
        registered.listener(Message.objects.get(pk=run.message_id))
    except Exception:
        logger.exception("inbound listener %s failed on message %s", run.listener, run.message_id)
        return _record_failure(run, error=traceback.format_exc(limit=8))
    ListenerRun.objects.filter(pk=run.pk).update(
        state=ListenerRunState.DONE, finished_at=timezone.now(), next_attempt_at=None
    )
    return None


def _record_failure(run: ListenerRun, *, error: str) -> timedelta | None:
    now = timezone.now()
    wait = retry_delay(attempt=run.attempts)
    if wait is None:
        logger.error(
            "inbound listener %s gave up on message %s after %s attempts", run.listener, run.message_id, run.attempts
        )
    ListenerRun.objects.filter(pk=run.pk).update(
        state=ListenerRunState.PENDING if wait is not None else ListenerRunState.FAILED,
        last_error=error[-4000:],
        next_attempt_at=now + wait if wait is not None else None,
        finished_at=None if wait is not None else now,
    )
    return wait


def lost_listener_run_ids(*, now=None) -> list[int]:
    """Runs whose task was lost: pending well past their time, or running on a worker that is gone."""
    now = now or timezone.now()
    pending = Q(state=ListenerRunState.PENDING, next_attempt_at__lte=now - LOST_AFTER)
    stale = Q(state=ListenerRunState.RUNNING, started_at__lte=now - LISTENER_RUN_LEASE)
    return list(ListenerRun.objects.filter(pending | stale).values_list("pk", flat=True)[:500])


def enqueue_lost_listener_runs() -> int:
    from interactions.tasks import run_inbound_listener

    run_ids = lost_listener_run_ids()
    for run_id in run_ids:
        enqueue_task(run_inbound_listener, run_id=run_id)
    return len(run_ids)


@transaction.atomic
def run_listeners_again(*, run_ids: list[int]) -> int:
    """An admin's "run again" on runs that gave up (the listener is fixed): a fresh set of attempts each."""
    from interactions.tasks import run_inbound_listener

    runs = list(ListenerRun.objects.select_for_update().filter(pk__in=run_ids, state=ListenerRunState.FAILED))
    for run in runs:
        run.state = ListenerRunState.PENDING
        run.attempts = 0
        run.next_attempt_at = timezone.now()
        run.finished_at = None
        run.save(update_fields=["state", "attempts", "next_attempt_at", "finished_at"])
        enqueue_task_on_commit(run_inbound_listener, run_id=run.pk)
    return len(runs)
