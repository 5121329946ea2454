"""Case and request numbers under concurrency, on PostgreSQL: callers that meet at the counter queue for its row,
so none share a number and a rolled-back one leaves no gap."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from customer_service.models import Case, NumberSequence
from customer_service.services.cases import open_case
from customer_service.services.catalog import submit_request
from customer_service.tests.factories import CatalogItemFactory
from interactions.services.timeline import lock_channel_user, lock_interaction
from interactions.tests.row_races import submit_until_it_queues
from tests.factories import ChannelUserFactory, InteractionFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are PostgreSQL's (SQLite locks the whole database)"
    ),
]


def test_cases_opened_at_the_same_moment_get_distinct_consecutive_numbers():
    customer = ChannelUserFactory()
    open_case(short_description="The first", channel_user=customer)  # the counter row exists

    with ThreadPoolExecutor(max_workers=3) as pool:
        with transaction.atomic():
            NumberSequence.objects.select_for_update().get(prefix="CS")
            racers = [
                submit_until_it_queues(
                    pool, lambda n=n: open_case(short_description=f"Race {n}", channel_user=customer)
                )
                for n in range(3)
            ]
        numbers = sorted(racer.result(timeout=30).number for racer in racers)

    assert numbers == ["CS0001002", "CS0001003", "CS0001004"]


def test_a_case_that_rolls_back_gives_its_number_to_the_next():
    customer = ChannelUserFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        open_case(short_description="Never saved", channel_user=customer)
        raise RuntimeError("the caller's transaction fails after the case was numbered")

    assert open_case(short_description="Saved", channel_user=customer).number == "CS0001001"
    assert Case.objects.count() == 1


def test_a_case_opened_while_the_customer_is_held_queues_for_the_customer_not_with_the_counter():
    """An agent's case (the API) meets the virtual agent's turn, which holds the customer and then numbers a case
    and a request: the agent's waits for the customer without holding the counter, so neither deadlocks."""
    conversation = InteractionFactory()
    item = CatalogItemFactory()
    open_case(short_description="The first", interaction=conversation)  # the counter row exists

    with ThreadPoolExecutor(max_workers=2) as pool:
        with transaction.atomic():
            lock_interaction(conversation.pk)
            agents = [
                submit_until_it_queues(pool, lambda: open_case(short_description="Agent", interaction=conversation)),
                submit_until_it_queues(pool, lambda: submit_request(item=item, answers={}, interaction=conversation)),
            ]
            virtual_agents_case = open_case(short_description="Virtual agent", interaction=conversation)
            virtual_agents_request = submit_request(item=item, answers={}, interaction=conversation)
        agents_case, agents_request = (racer.result(timeout=30) for racer in agents)

    assert (virtual_agents_case.number, agents_case.number) == ("CS0001002", "CS0001003")
    assert (virtual_agents_request.number, agents_request.number) == ("REQ0001001", "REQ0001002")


def test_a_case_for_a_channel_user_locks_them_before_the_counter():
    customer = ChannelUserFactory()
    open_case(short_description="The first", channel_user=customer)

    with ThreadPoolExecutor(max_workers=1) as pool:
        with transaction.atomic():
            lock_channel_user(customer.pk)
            agents = submit_until_it_queues(pool, lambda: open_case(short_description="Agent", channel_user=customer))
            mine = open_case(short_description="Held", channel_user=customer)
        theirs = agents.result(timeout=30)

    assert (mine.number, theirs.number) == ("CS0001002", "CS0001003")
