"""The race, proven where it can happen: several OS processes offer, accept, reject, let offers time out, close
conversations, reassign them, take waiting ones by replying in them and change agents' presence at once, against
one PostgreSQL database. Afterwards no item was accepted twice, no agent ever held more than their capacity (sampled
all along, not only at the end), and every work item's history replays to the state it is in. SQLite has no row
locks and a single writer, so the race cannot be run there.
"""

import multiprocessing
import random
import time
import traceback
from collections import Counter
from contextlib import suppress
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.utils import timezone

from interactions.live_connections import this_server
from interactions.models import Interaction, InteractionState
from interactions.services.lifecycle import close_interaction
from interactions.services.outbound import ActionRefused, send_agent_reply
from properties.services import change_property
from routing.configuration import routing_configuration
from routing.models import Presence, WorkItem, WorkItemEvent, WorkItemEventKind, WorkItemState
from routing.policies.capacity import capacity_of, with_usage
from routing.services.assignment import (
    accept_offer,
    expire_offers,
    offer_next_items,
    reassign_interaction,
    reject_offer,
)
from routing.services.presence import (
    record_connection_closed,
    record_connection_opened,
    set_lost_agents_offline,
    set_presence,
)
from routing.tests.factories import QueueFactory, RejectReasonFactory, WorkItemFactory, serving_agent
from tests.factories import manager

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite has no row locks and one writer at a time, so there is no race to prove; CI runs this on "
        "PostgreSQL",
    ),
]

AGENTS = 6
CAPACITY = 2
OFFERED_ITEMS = 60
AUTO_ACCEPTED_ITEMS = 15
SECONDS = 10


def _agent_actor(seed: int, agent_ids: list[int], reason_id: int, stop_at: float, results) -> None:
    """An agent's workspace: answers its offers (accept, reject or let them time out), closes finished work."""
    from routing.models import RejectReason

    chance = random.Random(seed)
    reason = RejectReason.objects.get(pk=reason_id)
    User = get_user_model()
    ignored: set[tuple[int, int]] = set()  # (item, agent) offers this workspace lets time out
    while time.time() < stop_at:
        agent = User.objects.get(pk=chance.choice(agent_ids))
        for item in WorkItem.objects.filter(state=WorkItemState.OFFERED, offered_to=agent):
            roll = chance.random()
            if (item.pk, agent.pk) in ignored or roll >= 0.75:
                ignored.add((item.pk, agent.pk))
            elif roll < 0.6:
                accept_offer(work_item=item, agent=agent)
                results.put(("accepted", item.pk, agent.pk))
            elif roll < 0.75:
                reject_offer(work_item=item, agent=agent, reason=reason)
        held = list(Interaction.objects.filter(assigned_to=agent, state=InteractionState.WORK_IN_PROGRESS)[:1])
        if held and chance.random() < 0.3:
            close_interaction(interaction=held[0], by=agent, state=InteractionState.CLOSED_COMPLETE)
            offer_next_items(agent=agent)  # what the lifecycle listener does once a load falls


def _replying_actor(seed: int, agent_ids: list[int], reason_id: int, stop_at: float, results) -> None:
    """Agents who reply in conversations still waiting for routing (queued, or offered to anyone), taking them as an
    accept would, or refused at capacity; the reply holds the interaction's lock, routing's rows come first."""
    chance = random.Random(seed)
    User = get_user_model()
    while time.time() < stop_at:
        waiting = list(
            WorkItem.objects.filter(state__in=[WorkItemState.QUEUED, WorkItemState.OFFERED]).values_list(
                "interaction_id", flat=True
            )[:20]
        )
        if waiting:
            interaction = Interaction.objects.get(pk=chance.choice(waiting))
            agent = User.objects.get(pk=chance.choice(agent_ids))
            send_agent_reply(interaction=interaction, author=agent, text="I'll take this one.")
            if Interaction.objects.filter(pk=interaction.pk, assigned_to=agent).exists():
                results.put(("took", interaction.pk, agent.pk))
        time.sleep(chance.random() / 4)  # now and then: the offers must still be answered


def _presence_actor(seed: int, agent_ids: list[int], reason_id: int, stop_at: float, results) -> None:
    """Agents coming and going: presence set, workspace connections opening and closing, lost ones swept."""
    chance = random.Random(seed)
    User = get_user_model()
    while time.time() < stop_at:
        agent = User.objects.get(pk=chance.choice(agent_ids))
        roll = chance.random()
        if roll < 0.5:
            set_presence(agent=agent, presence=Presence.AVAILABLE)
        elif roll < 0.7:
            set_presence(agent=agent, presence=Presence.AWAY, away_reason="Break")
        elif roll < 0.8:
            set_presence(agent=agent, presence=Presence.OFFLINE)
        elif roll < 0.9:
            connection_id = f"race-{seed}-{chance.random()}"
            record_connection_opened(user=agent, connection_id=connection_id, server=this_server())
            record_connection_closed(user=agent, connection_id=connection_id)
        else:
            set_lost_agents_offline(now=timezone.now() + routing_configuration().presence_grace)
        time.sleep(chance.random() / 50)


def _clock_actor(seed: int, agent_ids: list[int], reason_id: int, stop_at: float, results) -> None:
    """The Celery side: offers timing out, the sweep, and a supervisor reassigning now and then."""
    chance = random.Random(seed)
    User = get_user_model()
    supervisor = User.objects.filter(is_staff=True).first()
    while time.time() < stop_at:
        # Now and then the clock runs a timeout ahead, so offers expire whatever pace the agents answer at.
        ahead = routing_configuration().offer_timeout if chance.random() < 0.2 else timedelta(0)
        expire_offers(now=timezone.now() + ahead)
        offer_next_items()
        if chance.random() < 0.3:
            open_ones = list(Interaction.objects.filter(state=InteractionState.WORK_IN_PROGRESS).values_list("pk"))
            if open_ones:
                interaction = Interaction.objects.get(pk=chance.choice(open_ones)[0])
                to_agent = User.objects.get(pk=chance.choice(agent_ids))
                with suppress(ActionRefused):  # at capacity, already theirs, closed meanwhile: refused rightly
                    reassign_interaction(interaction=interaction, to_agent=to_agent, by=supervisor)
        time.sleep(0.05)


def _capacity_monitor(seed: int, agent_ids: list[int], reason_id: int, stop_at: float, results) -> None:
    """Samples every agent's load and pending offers (one statement, one snapshot) all through the race."""
    configuration = routing_configuration()
    users = get_user_model().objects.filter(pk__in=agent_ids)
    samples = 0
    while time.time() < stop_at:
        for pk, capacity, load, pending in with_usage(users).values_list(
            "pk", "routing_profile__capacity", "load", "pending"
        ):
            if load + pending > capacity_of(capacity, configuration):
                results.put(("over_capacity", pk, (load, pending)))
        samples += 1
    results.put(("samples", samples, None))


def _run(actor, seed, agent_ids, reason_id, stop_at, results) -> None:
    """One OS process: its own database connection, refusals counted, anything else reported as an error."""
    _forget_inherited_connections()
    while time.time() < stop_at:
        try:
            actor(seed, agent_ids, reason_id, stop_at, results)
        except ActionRefused:
            results.put(("refused", None, None))  # too late (taken, timed out, withdrawn) or closed meanwhile
        except Exception:
            results.put(("error", actor.__name__, traceback.format_exc()))
            time.sleep(0.05)
    _close_connections()


def _close_connections() -> None:
    """Closed for good, pool included: a forked process must never use its parent's connections, nor the parent
    keep a pool whose sockets a child inherited."""
    connections.close_all()
    for each in connections.all():
        if hasattr(each, "close_pool"):
            each.close_pool()


_INHERITED: list = []  # a forked child's inherited connections and pools, kept from finalizers


def _forget_inherited_connections() -> None:
    """In a forked child, drops (never closes: they are the parent's) whatever connections and pools it inherited,
    say from a thread of the test process that touched the database after the parent closed its own. Sharing one
    socket between processes garbles both sessions. They stay referenced, so no finalizer runs on them here."""
    for each in connections.all(initialized_only=True):
        _INHERITED.append(each.connection)
        each.connection = None
    for wrapper_class in {type(each) for each in connections.all()}:
        if hasattr(wrapper_class, "_connection_pools"):
            _INHERITED.append(wrapper_class._connection_pools)
            wrapper_class._connection_pools = {}


def _replayed_state(kinds: list[str]) -> str:
    """The state a work item's history leads to, or raises at a step its state machine does not allow."""
    state = WorkItemState.QUEUED
    moves = {
        (WorkItemState.QUEUED, WorkItemEventKind.OFFERED): WorkItemState.OFFERED,
        (WorkItemState.OFFERED, WorkItemEventKind.REJECTED): WorkItemState.QUEUED,
        (WorkItemState.OFFERED, WorkItemEventKind.TIMED_OUT): WorkItemState.QUEUED,
        (WorkItemState.OFFERED, WorkItemEventKind.OFFER_WITHDRAWN): WorkItemState.QUEUED,
        (WorkItemState.OFFERED, WorkItemEventKind.ACCEPTED): WorkItemState.ACCEPTED,
        (WorkItemState.QUEUED, WorkItemEventKind.ACCEPTED): WorkItemState.ACCEPTED,  # auto-accept
        (WorkItemState.QUEUED, WorkItemEventKind.REASSIGNED): WorkItemState.ACCEPTED,
        (WorkItemState.OFFERED, WorkItemEventKind.REASSIGNED): WorkItemState.ACCEPTED,
        (WorkItemState.ACCEPTED, WorkItemEventKind.REASSIGNED): WorkItemState.ACCEPTED,
        (WorkItemState.QUEUED, WorkItemEventKind.CANCELLED): WorkItemState.CANCELLED,
        (WorkItemState.OFFERED, WorkItemEventKind.CANCELLED): WorkItemState.CANCELLED,
    }
    for kind in kinds:
        state = moves[(state, kind)]
    return state


def test_offers_accepts_timeouts_and_presence_racing_across_processes_keep_every_rule(settings):
    settings.ROUTING = {"PRESENCE_GRACE_SECONDS": 1}
    change_property(key="routing.offer_timeout_seconds", value=2)
    offered_queue, auto_queue = QueueFactory(), QueueFactory(auto_accept=True)
    agent_ids = [serving_agent(offered_queue, auto_queue, capacity=CAPACITY).pk for _ in range(AGENTS)]
    WorkItemFactory.create_batch(OFFERED_ITEMS, queue=offered_queue)
    WorkItemFactory.create_batch(AUTO_ACCEPTED_ITEMS, queue=auto_queue)
    reason_id = RejectReasonFactory().pk
    manager()
    _close_connections()

    context = multiprocessing.get_context("fork")
    results = context.Queue()
    stop_at = time.time() + SECONDS
    actors = [
        _agent_actor, _agent_actor, _agent_actor, _replying_actor, _presence_actor, _clock_actor, _capacity_monitor
    ]  # fmt: skip
    processes = [
        context.Process(target=_run, args=(actor, seed, agent_ids, reason_id, stop_at, results))
        for seed, actor in enumerate(actors)
    ]
    for process in processes:
        process.start()
    outcomes: list[tuple] = []
    while any(process.is_alive() for process in processes) or not results.empty():
        try:
            outcomes.append(results.get(timeout=0.5))
        except Exception:  # queue.Empty
            if time.time() > stop_at + 60:
                break
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0

    kinds = Counter(kind for kind, _, _ in outcomes)
    errors = [detail for kind, _, detail in outcomes if kind == "error"]
    assert not errors, "\n".join(errors)
    assert [(agent, usage) for kind, agent, usage in outcomes if kind == "over_capacity"] == []
    assert next(samples for kind, samples, _ in outcomes if kind == "samples") > 50
    accepted = [(item, agent) for kind, item, agent in outcomes if kind == "accepted"]
    assert kinds["accepted"] >= 1 and kinds["refused"] >= 1, kinds  # the race ran: offers taken, and too late
    assert kinds["took"] >= 1, kinds  # and conversations taken by replying in them
    takers: dict[int, set[int]] = {}
    for item, agent in accepted:  # the same agent's second answer is the same acceptance, answered again
        takers.setdefault(item, set()).add(agent)
    assert [item for item, agents in takers.items() if len(agents) > 1] == [], "two agents accepted one item"

    items = {item.pk: item for item in WorkItem.objects.select_related("interaction")}
    for item_id, agent_id in accepted:
        assert items[item_id].accepted_by_id == agent_id
    twice = Counter(
        WorkItemEvent.objects.filter(kind=WorkItemEventKind.ACCEPTED).values_list("work_item_id", flat=True)
    )
    assert [item for item, count in twice.items() if count > 1] == []
    assert sum(twice.values()) >= 10, twice  # answered or auto-accepted: the race moved items along
    histories: dict[int, list[str]] = {pk: [] for pk in items}
    for item_id, kind in WorkItemEvent.objects.order_by("pk").values_list("work_item_id", "kind"):
        histories[item_id].append(kind)
    timed_out = 0
    for pk, item in items.items():
        assert _replayed_state(histories[pk]) == item.state, (pk, histories[pk], item.state)
        timed_out += histories[pk].count(WorkItemEventKind.TIMED_OUT)
        if item.state == WorkItemState.OFFERED:
            assert item.offered_to_id is not None and item.offer_expires_at is not None
        else:
            assert item.offered_to_id is None and item.offer_expires_at is None
        if item.state == WorkItemState.ACCEPTED:
            assert item.interaction.assigned_to_id is not None
            assert item.interaction.state != InteractionState.NEW
    assert timed_out > 0, "no offer timed out: the race did not cover expiry"
    configuration = routing_configuration()
    for pk, capacity, load, pending in with_usage(get_user_model().objects.filter(pk__in=agent_ids)).values_list(
        "pk", "routing_profile__capacity", "load", "pending"
    ):
        assert load + pending <= capacity_of(capacity, configuration), pk
