"""Offers, as agents and the clock meet them: who gets an item, what accepting, rejecting, a timeout, going away and
a supervisor's reassignment do, each recorded in the routing history. On PostgreSQL and SQLite alike."""

import base64
import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from redis import Redis

from interactions.models import InteractionState
from interactions.services.lifecycle import close_interaction
from routing.configuration import routing_configuration
from routing.models import AgentProfile, Presence, QueuePriority, WorkItem, WorkItemEventKind, WorkItemState
from routing.policies.capacity import agent_standings, queues_served, with_usage
from routing.services.assignment import (
    CapacityReached,
    OfferNoLongerOpen,
    accept_offer,
    expire_offers,
    offer_next_items,
    reassign_interaction,
    reject_offer,
)
from routing.services.presence import set_presence
from routing.tasks import offer_next_items_task
from routing.tests.conftest import enqueued_offers
from routing.tests.factories import QueueFactory, RejectReasonFactory, SkillFactory, WorkItemFactory, serving_agent
from tests.factories import InteractionFactory, agent, manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue():
    return QueueFactory()


def queued_offering_tasks(**kwargs) -> int:
    """How many offering tasks with these arguments wait in the broker (its `outbound` queue)."""
    redis = Redis.from_url(settings.CELERY_BROKER_URL)
    found = 0
    for raw in redis.lrange(f"{settings.REDIS_KEY_PREFIX}outbound", 0, -1):
        task = json.loads(raw)
        if task["headers"]["task"] == offer_next_items_task.name:
            _args, task_kwargs, _embed = json.loads(base64.b64decode(task["body"]))
            found += all(task_kwargs.get(name) == value for name, value in kwargs.items())
    return found


def holding(user, count=1, state=InteractionState.WORK_IN_PROGRESS):
    return [InteractionFactory(assigned_to=user, state=state) for _ in range(count)]


def history(item):
    return [(event.kind, event.agent_id) for event in item.events.order_by("at", "pk")]


def reload(item):
    item.refresh_from_db()
    return item


def test_a_queued_item_is_offered_to_the_eligible_agent_with_the_most_free_capacity(queue):
    busy = serving_agent(queue)
    holding(busy)
    free = serving_agent(queue)
    item = WorkItemFactory(queue=queue)

    offered = offer_next_items(queue=queue)

    assert offered == [item]
    item = reload(item)
    assert (item.state, item.offered_to, item.last_offered_to) == (WorkItemState.OFFERED, free, free)
    assert item.offer_expires_at - item.offered_at == timedelta(seconds=30)
    assert history(item) == [(WorkItemEventKind.OFFERED, free.pk)]


def test_a_queue_may_give_its_offers_a_timeout_of_its_own():
    queue = QueueFactory(offer_timeout_seconds=90)
    serving_agent(queue)
    item = WorkItemFactory(queue=queue)

    offer_next_items(queue=queue)

    item = reload(item)
    assert item.offer_expires_at - item.offered_at == timedelta(seconds=90)


def test_only_available_agents_who_serve_the_queue_with_its_skills_and_room_get_offers(queue):
    languages = SkillFactory(name="German")
    queue.required_skills.add(languages)
    serving_agent(QueueFactory())  # another queue's
    serving_agent(queue, presence=Presence.AWAY)
    serving_agent(queue, presence=Presence.OFFLINE)
    serving_agent(queue, is_active=False).routing_profile.skills.add(languages)
    serving_agent(queue)  # lacks the skill
    full = serving_agent(queue, capacity=1)
    full.routing_profile.skills.add(languages)
    holding(full)
    item = WorkItemFactory(queue=queue)

    assert offer_next_items(queue=queue) == []

    able = serving_agent(queue)
    able.routing_profile.skills.add(languages)
    assert offer_next_items(queue=queue) == [item]
    assert reload(item).offered_to == able


def test_an_agent_in_one_of_the_queues_groups_serves_it(queue):
    team = Group.objects.create(name="Billing team")
    queue.groups.add(team)
    member = serving_agent()
    member.groups.add(team)
    item = WorkItemFactory(queue=queue)

    offer_next_items(queue=queue)

    assert reload(item).offered_to == member


def test_an_agent_who_frees_up_gets_the_oldest_item_of_the_highest_priority():
    low, high = QueueFactory(priority=QueuePriority.LOW), QueueFactory(priority=QueuePriority.CRITICAL)
    now = timezone.now()
    WorkItemFactory(queue=low, queued_at=now - timedelta(hours=1))
    oldest_urgent = WorkItemFactory(queue=high, queued_at=now - timedelta(minutes=5))
    WorkItemFactory(queue=high, queued_at=now - timedelta(minutes=1))
    person = serving_agent(low, high, capacity=1)

    assert offer_next_items(agent=person) == [oldest_urgent]


def test_pending_offers_count_toward_capacity(queue):
    person = serving_agent(queue, capacity=2)
    holding(person, state=InteractionState.NEW)
    items = WorkItemFactory.create_batch(3, queue=queue)

    assert offer_next_items(agent=person) == [items[0]]
    assert offer_next_items(agent=person) == []


@pytest.mark.parametrize(("count_on_hold", "offered"), [(True, 0), (False, 1)])
def test_on_hold_conversations_count_toward_capacity_when_configured(settings, queue, count_on_hold, offered):
    settings.ROUTING = {"COUNT_ON_HOLD_TOWARD_CAPACITY": count_on_hold}
    person = serving_agent(queue, capacity=1)
    holding(person, state="on_hold")  # the state is counted by its name
    WorkItemFactory(queue=queue)

    assert len(offer_next_items(agent=person)) == offered


def test_accepting_makes_the_conversation_the_agents_work_in_progress(queue):
    person = serving_agent(queue)
    item = WorkItemFactory(queue=queue)
    offer_next_items(queue=queue)
    revision = item.interaction.revision

    interaction = accept_offer(work_item=item, agent=person)

    assert (interaction.assigned_to, interaction.state) == (person, InteractionState.WORK_IN_PROGRESS)
    assert interaction.revision == revision + 1
    item = reload(item)
    assert (item.state, item.accepted_by, item.offered_to) == (WorkItemState.ACCEPTED, person, None)
    assert history(item) == [(WorkItemEventKind.OFFERED, person.pk), (WorkItemEventKind.ACCEPTED, person.pk)]


def test_accepting_twice_is_one_acceptance(queue):
    person = serving_agent(queue)
    item = WorkItemFactory(queue=queue)
    offer_next_items(queue=queue)

    first = accept_offer(work_item=item, agent=person)
    second = accept_offer(work_item=item, agent=person)

    assert first.pk == second.pk
    assert item.events.filter(kind=WorkItemEventKind.ACCEPTED).count() == 1


def test_an_offer_another_agent_took_cannot_be_accepted(queue):
    first, second = serving_agent(queue), serving_agent(queue)
    item = WorkItemFactory(queue=queue)
    offer_next_items(queue=queue)
    accept_offer(work_item=item, agent=reload(item).offered_to)
    taker = reload(item).accepted_by

    with pytest.raises(OfferNoLongerOpen, match="Another agent has taken"):
        accept_offer(work_item=item, agent=second if taker == first else first)


def test_an_expired_offer_cannot_be_accepted_even_before_the_sweep_ran(queue):
    person = serving_agent(queue)
    item = WorkItemFactory(queue=queue)
    offer_next_items(queue=queue)
    WorkItem.objects.filter(pk=item.pk).update(offer_expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(OfferNoLongerOpen, match="expired"):
        accept_offer(work_item=item, agent=person)
    assert reload(item).state == WorkItemState.OFFERED  # the timeout is the sweep's to record


def test_accepting_a_conversation_closed_meanwhile_cancels_its_item(queue):
    person = serving_agent(queue)
    item = WorkItemFactory(queue=queue)
    offer_next_items(queue=queue)
    close_interaction(interaction=item.interaction, by=person, state=InteractionState.CLOSED_COMPLETE)

    with pytest.raises(OfferNoLongerOpen, match="closed"):
        accept_offer(work_item=item, agent=person)
    assert reload(item).state == WorkItemState.CANCELLED
    assert history(item)[-1] == (WorkItemEventKind.CANCELLED, None)


def test_a_rejected_item_goes_to_another_agent_with_the_reason_recorded(queue, committing):
    first, second = serving_agent(queue), serving_agent(queue)
    item = WorkItemFactory(queue=queue)
    offer_next_items(queue=queue)
    reason = RejectReasonFactory(text="Not my language")

    with committing():
        reject_offer(work_item=item, agent=first, reason=reason)

    assert reload(item).offered_to == second
    assert history(item) == [
        (WorkItemEventKind.OFFERED, first.pk),
        (WorkItemEventKind.REJECTED, first.pk),
        (WorkItemEventKind.OFFERED, second.pk),
    ]
    assert item.events.get(kind=WorkItemEventKind.REJECTED).reason == "Not my language"


def test_a_reason_no_longer_in_the_list_is_refused(queue):
    person = serving_agent(queue)
    item = WorkItemFactory(queue=queue)
    offer_next_items(queue=queue)

    with pytest.raises(Exception, match="no longer a reason"):
        reject_offer(work_item=item, agent=person, reason=RejectReasonFactory(is_active=False))
    assert reload(item).state == WorkItemState.OFFERED


def test_an_unanswered_offer_times_out_and_goes_to_the_next_agent_never_straight_back(queue, committing):
    roomy, busier = serving_agent(queue), serving_agent(queue)
    holding(busier)
    item = WorkItemFactory(queue=queue)
    offer_next_items(queue=queue)
    assert reload(item).offered_to == roomy

    with committing():
        assert expire_offers(now=timezone.now() + timedelta(seconds=31)) == 1
    assert reload(item).offered_to == busier  # though the first has more room

    with committing():
        expire_offers(now=timezone.now() + timedelta(seconds=31))
    assert reload(item).offered_to == roomy
    kinds = [kind for kind, _ in history(item)]
    assert kinds == ["offered", "timed_out", "offered", "timed_out", "offered"]


def test_an_offer_nobody_else_can_take_goes_back_to_the_same_agent_after_its_timeout(queue, committing):
    person = serving_agent(queue)
    item = WorkItemFactory(queue=queue)
    offer_next_items(queue=queue)

    with committing():
        expire_offers(now=timezone.now() + timedelta(seconds=31))

    assert reload(item).offered_to == person
    assert expire_offers(now=timezone.now()) == 0  # the new offer has its own time


def test_an_auto_accept_queue_assigns_at_once():
    queue = QueueFactory(auto_accept=True)
    person = serving_agent(queue)
    item = WorkItemFactory(queue=queue)

    offer_next_items(queue=queue)

    item = reload(item)
    assert (item.state, item.accepted_by) == (WorkItemState.ACCEPTED, person)
    assert item.interaction.assigned_to == person
    assert history(item) == [(WorkItemEventKind.ACCEPTED, person.pk)]


def test_an_agent_who_becomes_available_is_offered_work_by_the_task_their_change_enqueued(queue, committing):
    person = serving_agent(queue, presence=Presence.OFFLINE)
    item = WorkItemFactory(queue=queue)

    with committing() as callbacks:
        set_presence(agent=person, presence=Presence.AVAILABLE)
        assert reload(item).state == WorkItemState.QUEUED  # nothing offered in the caller's thread

    assert enqueued_offers(callbacks) == [{"queue_id": None, "agent_id": person.pk}]
    assert reload(item).offered_to == person


def test_a_burst_of_changes_enqueues_one_offering_task_while_it_waits(
    queue, live_worker_paused, django_capture_on_commit_callbacks
):
    person = serving_agent(queue, presence=Presence.OFFLINE)
    item = WorkItemFactory(queue=queue)

    with django_capture_on_commit_callbacks(execute=True):
        for presence in (Presence.AVAILABLE, Presence.AWAY, Presence.AVAILABLE, Presence.AWAY, Presence.AVAILABLE):
            set_presence(agent=person, presence=presence)

    assert queued_offering_tasks(agent_id=person.pk) == 1
    assert reload(item).state == WorkItemState.QUEUED
    offer_next_items_task(agent_id=person.pk)  # what the worker does with it
    assert reload(item).offered_to == person
    with django_capture_on_commit_callbacks(execute=True):  # a change after the task started enqueues another
        set_presence(agent=person, presence=Presence.AWAY)
        set_presence(agent=person, presence=Presence.AVAILABLE)
    assert queued_offering_tasks(agent_id=person.pk) == 2


def test_going_away_hands_pending_offers_back_to_the_queue_and_on_to_others(queue, committing):
    leaving, staying = serving_agent(queue), serving_agent(queue)
    holding(staying)
    item = WorkItemFactory(queue=queue)
    offer_next_items(queue=queue)
    assert reload(item).offered_to == leaving

    with committing():
        set_presence(agent=leaving, presence=Presence.AWAY, away_reason="Lunch")

    leaving.routing_profile.refresh_from_db()
    assert (leaving.routing_profile.presence, leaving.routing_profile.away_reason) == ("away", "Lunch")
    assert reload(item).offered_to == staying
    assert [kind for kind, _ in history(item)] == ["offered", "offer_withdrawn", "offered"]


def test_a_supervisor_reassigns_a_conversation_and_the_previous_agent_is_offered_other_work(queue, committing):
    previous, receiver = serving_agent(queue, capacity=1), serving_agent(queue)
    item = WorkItemFactory(queue=queue)
    offer_next_items(agent=previous)
    accept_offer(work_item=item, agent=previous)
    waiting = WorkItemFactory(queue=queue)
    set_presence(agent=receiver, presence=Presence.AWAY)

    with committing():
        interaction = reassign_interaction(
            interaction=item.interaction, to_agent=receiver, by=manager(), note="Knows this customer"
        )

    assert interaction.assigned_to == receiver
    assert history(item)[-1] == (WorkItemEventKind.REASSIGNED, receiver.pk)
    assert item.events.get(kind=WorkItemEventKind.REASSIGNED).note == "Knows this customer"
    assert reload(waiting).offered_to == previous


def test_a_reassignment_never_takes_an_agent_past_capacity(queue):
    full = serving_agent(queue, capacity=1)
    holding(full)
    item = WorkItemFactory(queue=queue)

    with pytest.raises(CapacityReached):
        reassign_interaction(interaction=item.interaction, to_agent=full, by=manager())
    assert reload(item).state == WorkItemState.QUEUED


def test_reassigning_an_offered_conversation_withdraws_the_offer(queue):
    offered, receiver = serving_agent(queue), agent()
    item = WorkItemFactory(queue=queue)
    offer_next_items(queue=queue)

    reassign_interaction(interaction=item.interaction, to_agent=receiver, by=manager())

    item = reload(item)
    assert (item.state, item.accepted_by, item.offered_to) == (WorkItemState.ACCEPTED, receiver, None)
    assert history(item) == [(WorkItemEventKind.OFFERED, offered.pk), (WorkItemEventKind.REASSIGNED, receiver.pk)]


@pytest.mark.parametrize("path", ["agent", "queue"])
def test_an_offer_costs_the_same_queries_whether_ten_or_a_hundred_wait(queue, path):
    def queries_for_three_offers(waiting: int) -> int:
        WorkItem.objects.all().delete()
        person = serving_agent(queue, capacity=3)
        WorkItemFactory.create_batch(waiting, queue=queue)
        with CaptureQueriesContext(connection) as queries:
            offered = offer_next_items(agent=person) if path == "agent" else offer_next_items(queue=queue)
        assert len(offered) == 3
        person.routing_profile.presence = Presence.OFFLINE
        person.routing_profile.save()
        return len(queries)

    queries_for_three_offers(3)  # the process's first read of the system properties, not the offers', is left out
    assert queries_for_three_offers(10) == queries_for_three_offers(100)


def test_an_agent_is_not_left_idle_behind_items_kept_for_someone_else(queue):
    returning = serving_agent(queue, capacity=1)
    serving_agent(queue, capacity=1)  # a colleague, who can take the three
    WorkItemFactory.create_batch(3, queue=queue, last_offered_to=returning)  # so they never go straight back
    newer = WorkItemFactory(queue=queue)

    assert offer_next_items(agent=returning) == [newer]


@pytest.mark.parametrize("let_go", ["rejected", "timed out"])
def test_a_preferred_agent_who_lets_the_offer_go_does_not_get_it_straight_back(queue, committing, let_go):
    colleague, preferred = serving_agent(queue), serving_agent(queue)
    item = WorkItemFactory(queue=queue, preferred_agent=preferred)
    offer_next_items(queue=queue)
    assert reload(item).offered_to == preferred

    with committing():
        if let_go == "rejected":
            reject_offer(work_item=item, agent=preferred, reason=RejectReasonFactory(text="Not my area"))
        else:
            expire_offers(now=timezone.now() + timedelta(hours=1))

    assert reload(item).offered_to == colleague  # seen on the demo: it bounced back to the preferred agent forever


def test_once_the_preferred_agent_lets_it_go_it_goes_round_the_others_not_back_to_them_every_other_time(
    queue, committing
):
    preferred, second, third = serving_agent(queue), serving_agent(queue), serving_agent(queue)
    item = WorkItemFactory(queue=queue, preferred_agent=preferred)
    offered_to = []
    for _ in range(3):
        offer_next_items(queue=queue)
        offered_to.append(reload(item).offered_to)
        with committing():
            expire_offers(now=timezone.now() + timedelta(hours=1))

    assert offered_to[0] == preferred
    assert set(offered_to[1:]) == {second, third}  # seen on the demo with two agents; a third never got it
    assert reload(item).preferred_agent is None


def test_an_agent_who_becomes_available_leaves_an_item_to_its_preferred_colleague(queue):
    preferred, returning = serving_agent(queue), serving_agent(queue, presence=Presence.OFFLINE)
    kept = WorkItemFactory(queue=queue, preferred_agent=preferred)
    theirs = WorkItemFactory(queue=queue)

    set_presence(agent=returning, presence=Presence.AVAILABLE)

    assert offer_next_items(agent=returning) == [theirs]
    assert reload(kept).state == WorkItemState.QUEUED  # their colleague's own round offers it to them


def test_an_agent_round_sees_queues_served_through_a_group_with_their_skills():
    team, languages = Group.objects.create(name="Language team"), SkillFactory(name="Languages")
    by_group, by_name, lacking = QueueFactory(), QueueFactory(), QueueFactory()
    by_group.groups.add(team)
    lacking.required_skills.add(SkillFactory(name="Legal"))
    by_name.required_skills.add(languages)
    person = serving_agent(by_name, lacking, capacity=5)
    person.groups.add(team)
    person.routing_profile.skills.add(languages)
    items = [WorkItemFactory(queue=queue) for queue in (by_group, by_name, lacking)]

    assert {item.pk for item in offer_next_items(agent=person)} == {items[0].pk, items[1].pk}
    assert reload(items[2]).state == WorkItemState.QUEUED


def test_the_offering_rounds_count_load_and_pending_offers_as_every_other_reader_does():
    queue = QueueFactory()
    busy, idle, away = serving_agent(queue, capacity=4), serving_agent(queue), serving_agent(queue, presence="away")
    InteractionFactory(assigned_to=busy, state=InteractionState.WORK_IN_PROGRESS)
    InteractionFactory(assigned_to=busy, state=InteractionState.CLOSED_COMPLETE)
    WorkItemFactory(queue=queue, state=WorkItemState.OFFERED, offered_to=busy)
    WorkItemFactory(queue=queue, state=WorkItemState.OFFERED, offered_to=away)
    last_offer_at = timezone.now() - timedelta(minutes=3)
    AgentProfile.objects.filter(user=busy).update(last_offer_at=last_offer_at)

    standings = agent_standings(served=queues_served(queue_ids=[queue.pk]))

    counted = with_usage(get_user_model().objects.filter(routing_profile__presence=Presence.AVAILABLE))
    expected = {pk: (load, pending) for pk, load, pending in counted.values_list("pk", "load", "pending")}
    assert {s.agent_id: (s.load, s.pending) for s in standings} == expected == {busy.pk: (1, 1), idle.pk: (0, 0)}
    default = routing_configuration().default_capacity
    assert {s.agent_id: s.capacity for s in standings} == {busy.pk: 4, idle.pk: default}
    assert {s.agent_id: s.last_offer_at for s in standings} == {busy.pk: last_offer_at, idle.pk: None}
