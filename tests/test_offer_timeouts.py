"""Offers and their timeouts run on the Celery worker, never in a request: an agent who becomes available through the
API is offered work by the task their change enqueued; an offer left unanswered moves to the next agent by the
countdown task its offer enqueued; with the broker down, the change still succeeds and the periodic sweep offers."""

import pytest
import requests
from django.conf import settings
from rest_framework.authtoken.models import Token

from config.celery import app
from conftest import free_port, wait_until
from routing.models import Presence, WorkItem, WorkItemEventKind, WorkItemState
from routing.services.assignment import offer_next_items
from routing.tests.factories import QueueFactory, WorkItemFactory, serving_agent
from tests.factories import InteractionFactory
from tests.test_resilience import start_web_process

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def set_own_presence(web_url: str, agent, presence: str) -> requests.Response:
    token = Token.objects.get_or_create(user=agent)[0].key
    return requests.post(
        f"{web_url}/api/v1/routing/me/presence/",
        json={"presence": presence},
        headers={"Authorization": f"Token {token}"},
        timeout=30,
    )


def test_an_agent_who_sets_themselves_available_is_offered_work_by_the_worker(live_system):
    queue = QueueFactory()
    person = serving_agent(queue, presence=Presence.OFFLINE)
    item = WorkItemFactory(queue=queue)

    response = set_own_presence(live_system.web_url, person, Presence.AVAILABLE)

    assert response.status_code == 200
    offered = wait_until(
        lambda: WorkItem.objects.filter(pk=item.pk, state=WorkItemState.OFFERED, offered_to=person).exists(),
        message="the worker to offer the waiting item to the agent who became available",
    )
    assert offered


def test_with_the_broker_down_becoming_available_succeeds_and_the_periodic_sweep_offers(live_system):
    queue = QueueFactory()
    person = serving_agent(queue, presence=Presence.OFFLINE)
    item = WorkItemFactory(queue=queue)
    web_url = start_web_process(live_system, "web-no-redis", REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")

    response = set_own_presence(web_url, person, Presence.AVAILABLE)
    live_system.stop("web-no-redis")

    assert response.status_code == 200
    person.routing_profile.refresh_from_db()
    assert person.routing_profile.presence == Presence.AVAILABLE
    assert WorkItem.objects.get(pk=item.pk).state == WorkItemState.QUEUED
    app.tasks[settings.CELERY_BEAT_SCHEDULE["offer-waiting-items"]["task"]]()  # beat's sweep, run now
    assert WorkItem.objects.get(pk=item.pk).offered_to == person


def test_an_unanswered_offer_moves_to_the_next_agent_on_the_worker(live_system):
    queue = QueueFactory(offer_timeout_seconds=1)
    first, second = serving_agent(queue), serving_agent(queue)
    InteractionFactory(assigned_to=second, state="work_in_progress")  # the first has more room: offered first
    item = WorkItemFactory(queue=queue)

    offer_next_items(queue=queue)

    moved = wait_until(
        lambda: item.events.filter(kind=WorkItemEventKind.OFFERED, agent=second).exists(),
        timeout=20,
        message="the offer to time out on the worker and go to the second agent",
    )
    assert moved
    assert [(event.kind, event.agent_id) for event in item.events.order_by("pk")][:3] == [
        (WorkItemEventKind.OFFERED, first.pk),
        (WorkItemEventKind.TIMED_OUT, first.pk),
        (WorkItemEventKind.OFFERED, second.pk),
    ]
