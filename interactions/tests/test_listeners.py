"""Inbound listeners run durably: a run recorded with each new message, its own task, retried, swept, visible."""

from datetime import timedelta
from functools import partial

import pytest
from django.contrib.admin.sites import site
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from interactions.models import ListenerRun, ListenerRunState
from interactions.policies import MAX_DELIVERY_ATTEMPTS
from interactions.services.inbound import record_inbound_message
from interactions.services.listeners import (
    lost_listener_run_ids,
    run_inbound_listener,
    run_listeners_again,
)
from interactions.task_queue import enqueue_task
from interactions.tests.core_events import inbound_message
from tests.factories import UserFactory
from tests.listener_probes.apps import ALWAYS_FAIL, FAIL_TWICE, heard_key

pytestmark = pytest.mark.django_db

# The test probes, and the one routing registers (routing/apps.py).
PROBES = ["probe.failing", "probe.recording", "routing.queueing"]


def runs_of(message) -> dict[str, ListenerRun]:
    return {run.listener: run for run in ListenerRun.objects.filter(message=message)}


def run_now(run: ListenerRun):
    """What the task does when its countdown is over."""
    ListenerRun.objects.filter(pk=run.pk).update(next_attempt_at=timezone.now())
    return run_inbound_listener(run_id=run.pk)


def test_a_new_message_records_a_run_per_listener_and_enqueues_each_only_once_committed(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        message = record_inbound_message(event=inbound_message(text="Hello"))
        assert sorted(runs_of(message)) == PROBES  # in the message's own transaction

    enqueued = [
        (callback.args[0].name, callback.keywords)
        for callback in callbacks
        if isinstance(callback, partial) and callback.func is enqueue_task
    ]
    runs = runs_of(message)
    assert sorted(enqueued, key=str) == sorted(
        [("interactions.tasks.run_inbound_listener", {"countdown": None, "run_id": runs[name].pk}) for name in PROBES],
        key=str,
    )
    assert {run.state for run in runs.values()} == {ListenerRunState.PENDING}


def test_a_redelivered_message_records_no_second_run(django_capture_on_commit_callbacks):
    event = inbound_message(text="Hello")
    record_inbound_message(event=event)

    with django_capture_on_commit_callbacks() as callbacks:
        record_inbound_message(event=event)

    assert ListenerRun.objects.count() == len(PROBES)
    assert callbacks == []


def test_a_failing_listener_is_retried_with_backoff_and_its_error_kept_while_the_other_runs_once():
    message = record_inbound_message(event=inbound_message(text=FAIL_TWICE))
    runs = runs_of(message)

    first_wait = run_now(runs["probe.failing"])
    failed_once = ListenerRun.objects.get(pk=runs["probe.failing"].pk)
    assert run_now(runs["probe.recording"]) is None
    second_wait = run_now(runs["probe.failing"])
    assert run_now(runs["probe.failing"]) is None

    assert timedelta(seconds=1) <= first_wait <= timedelta(seconds=4)
    assert timedelta(seconds=2) <= second_wait <= timedelta(seconds=8)
    assert (failed_once.state, failed_once.attempts) == (ListenerRunState.PENDING, 1)
    assert "RuntimeError: probe failure on call 1" in failed_once.last_error
    done = runs_of(message)
    assert (done["probe.failing"].state, done["probe.failing"].attempts) == (ListenerRunState.DONE, 3)
    assert (done["probe.recording"].state, done["probe.recording"].attempts) == (ListenerRunState.DONE, 1)
    assert cache.get(heard_key("failing", message)) == FAIL_TWICE


def test_a_listener_that_keeps_failing_is_given_up_and_shown_as_failed():
    message = record_inbound_message(event=inbound_message(text=ALWAYS_FAIL))
    run = runs_of(message)["probe.failing"]

    waits = [run_now(run) for _ in range(MAX_DELIVERY_ATTEMPTS)]

    run.refresh_from_db()
    assert all(wait is not None for wait in waits[:-1]) and waits[-1] is None
    assert (run.state, run.attempts, run.next_attempt_at) == (ListenerRunState.FAILED, MAX_DELIVERY_ATTEMPTS, None)
    assert f"probe failure on call {MAX_DELIVERY_ATTEMPTS}" in run.last_error
    assert run_inbound_listener(run_id=run.pk) is None  # a late copy of its task changes nothing
    run.refresh_from_db()
    assert run.attempts == MAX_DELIVERY_ATTEMPTS


def test_a_run_enqueued_before_its_time_waits_for_it():
    message = record_inbound_message(event=inbound_message(text=FAIL_TWICE))
    run = runs_of(message)["probe.failing"]
    run_now(run)

    wait = run_inbound_listener(run_id=run.pk)  # the sweep, or a duplicate, before the backoff is over

    run.refresh_from_db()
    assert wait is not None and wait > timedelta(0)
    assert run.attempts == 1


def test_the_sweep_finds_runs_whose_task_was_lost_and_leaves_the_others():
    message = record_inbound_message(event=inbound_message(text="Hello"))
    runs = runs_of(message)
    now = timezone.now()
    ListenerRun.objects.filter(pk=runs["probe.failing"].pk).update(next_attempt_at=now - timedelta(minutes=5))
    ListenerRun.objects.filter(pk=runs["probe.recording"].pk).update(
        state=ListenerRunState.RUNNING, started_at=now - timedelta(minutes=11)
    )
    fresh = record_inbound_message(event=inbound_message(text="Still there?"))
    ListenerRun.objects.filter(message=fresh, listener="probe.recording").update(
        state=ListenerRunState.RUNNING, started_at=now - timedelta(minutes=1)
    )

    assert sorted(lost_listener_run_ids()) == sorted([runs["probe.failing"].pk, runs["probe.recording"].pk])


def test_a_run_still_running_on_another_worker_is_not_run_twice():
    message = record_inbound_message(event=inbound_message(text="Hello"))
    run = runs_of(message)["probe.recording"]
    ListenerRun.objects.filter(pk=run.pk).update(state=ListenerRunState.RUNNING, started_at=timezone.now(), attempts=1)

    assert run_inbound_listener(run_id=run.pk) is None

    run.refresh_from_db()
    assert (run.state, run.attempts) == (ListenerRunState.RUNNING, 1)
    assert cache.get(heard_key("recording", message)) is None


def test_admins_see_listener_runs_and_run_given_up_ones_again():
    message = record_inbound_message(event=inbound_message(text=ALWAYS_FAIL))
    run = runs_of(message)["probe.failing"]
    ListenerRun.objects.filter(pk=run.pk).update(state=ListenerRunState.FAILED, attempts=8, last_error="boom")
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))

    listing = admin.get("/admin/interactions/listenerrun/")
    assert listing.status_code == 200
    assert "probe.failing" in listing.content.decode()
    assert not site._registry[ListenerRun].has_change_permission(listing.wsgi_request)

    assert run_listeners_again(run_ids=[run.pk]) == 1
    run.refresh_from_db()
    assert (run.state, run.attempts, run.last_error) == (ListenerRunState.PENDING, 0, "boom")
