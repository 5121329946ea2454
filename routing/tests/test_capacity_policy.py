"""The order offers go in, as a table: the planner reads nothing, so each rule is shown at its edge."""

from datetime import UTC, datetime, timedelta

import pytest

from properties.services import change_property
from routing.configuration import routing_configuration
from routing.policies.capacity import (
    AgentStanding,
    WaitingItem,
    capacity_of,
    plan_offers,
    states_counted_toward_capacity,
)

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
QUEUE = 1
OTHER_QUEUE = 2


def standing(agent_id, *, capacity=3, load=0, pending=0, last_offer_at=None, queues=(QUEUE,)):
    return AgentStanding(
        agent_id=agent_id,
        capacity=capacity,
        load=load,
        pending=pending,
        last_offer_at=last_offer_at,
        queue_ids=frozenset(queues),
    )


def item(item_id=1, *, queue=QUEUE, preferred=None, last_offered_to=None):
    return WaitingItem(id=item_id, queue_id=queue, preferred_agent_id=preferred, last_offered_to_id=last_offered_to)


def chosen(items, takers, others=()):
    plan = plan_offers(items, takers=takers, others=others, now=NOW)
    return [(waiting.id, agent.agent_id) for waiting, agent in plan]


def test_the_agent_with_the_most_free_capacity_gets_the_item():
    assert chosen([item()], [standing(1, load=2), standing(2, load=1), standing(3, load=1, pending=1)]) == [(1, 2)]


@pytest.mark.parametrize(
    ("first_offer", "second_offer", "winner"),
    [
        (None, NOW - timedelta(hours=1), 1),  # never offered anything has waited longest
        (NOW - timedelta(seconds=2), NOW - timedelta(seconds=1), 1),
        (NOW - timedelta(seconds=1), NOW - timedelta(seconds=2), 2),
    ],
)
def test_a_tie_goes_to_who_has_waited_longest_since_their_last_offer(first_offer, second_offer, winner):
    agents = [standing(1, last_offer_at=first_offer), standing(2, last_offer_at=second_offer)]

    assert chosen([item()], agents) == [(1, winner)]


def test_offers_spread_over_agents_as_their_free_capacity_falls():
    agents = [standing(1, capacity=2), standing(2, capacity=3)]

    assert chosen([item(1), item(2), item(3), item(4)], agents) == [(1, 2), (2, 1), (3, 2), (4, 1)]


def test_an_agent_at_capacity_pending_offers_included_gets_nothing():
    assert chosen([item()], [standing(1, capacity=3, load=2, pending=1)]) == []
    assert chosen([item()], [standing(1, capacity=3, load=2, pending=0)]) == [(1, 1)]


def test_an_agent_who_does_not_serve_the_queue_gets_nothing():
    assert chosen([item(queue=OTHER_QUEUE)], [standing(1, queues=(QUEUE,))]) == []


def test_the_preferred_agent_comes_first_when_eligible():
    agents = [standing(1), standing(2, load=2)]

    assert chosen([item(preferred=2)], agents) == [(1, 2)]


def test_a_preferred_agent_who_cannot_take_it_is_passed_over():
    agents = [standing(1), standing(2, load=3)]

    assert chosen([item(preferred=2)], agents) == [(1, 1)]


def test_an_item_preferring_an_agent_of_another_round_waits_for_them():
    assert chosen([item(preferred=2)], [standing(1)], others=[standing(2)]) == []


def test_a_preferred_agent_comes_first_even_after_a_colleague_let_it_go():
    """(The preferred agent's own letting go ends the preference: the service clears it, see test_assignment.)"""
    assert chosen([item(preferred=2, last_offered_to=1)], [standing(1, load=0), standing(2, load=2)]) == [(1, 2)]


def test_an_item_never_goes_straight_back_while_anyone_else_can_take_it():
    agents = [standing(1, load=0), standing(2, load=2)]

    assert chosen([item(last_offered_to=1)], agents) == [(1, 2)]


def test_an_item_goes_back_to_its_last_agent_when_nobody_else_can_take_it():
    agents = [standing(1), standing(2, load=3)]

    assert chosen([item(last_offered_to=1)], agents) == [(1, 1)]


def test_an_agent_of_another_round_who_could_take_it_keeps_it_from_its_last_agent():
    assert chosen([item(last_offered_to=1)], [standing(1)], others=[standing(2)]) == []


def test_the_planned_agents_are_marked_as_just_offered():
    taker = standing(1, last_offer_at=NOW - timedelta(minutes=5))

    plan_offers([item()], takers=[taker], now=NOW)

    assert (taker.pending, taker.last_offer_at) == (1, NOW)


@pytest.mark.parametrize(
    ("count_on_hold", "counted"),
    [(True, ("new", "work_in_progress", "on_hold")), (False, ("new", "work_in_progress"))],
)
def test_on_hold_conversations_count_toward_capacity_when_configured(settings, count_on_hold, counted):
    settings.ROUTING = {"COUNT_ON_HOLD_TOWARD_CAPACITY": count_on_hold}

    assert states_counted_toward_capacity(routing_configuration()) == counted


@pytest.mark.django_db
def test_an_agent_without_a_capacity_of_their_own_has_the_default():
    change_property(key="routing.default_capacity", value=4)

    assert capacity_of(None, routing_configuration()) == 4
    assert capacity_of(0, routing_configuration()) == 0
