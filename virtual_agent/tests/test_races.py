"""The virtual agent's races on PostgreSQL: a listener run repeated at once (a retry overtaking a slow first run) acts
once; the runs of two messages, the later one first, answer each once and in order; the customer's next message
racing a hand-over deadlocks neither."""

import pytest
from django.db import connection

from interactions.models import Direction, Message
from interactions.services.inbound import record_inbound_message
from interactions.tests.core_events import inbound_message
from interactions.tests.row_races import race_behind_the_channel_user
from routing.models import WorkItem
from routing.tests.factories import QueueFactory, serving_agent
from virtual_agent.engine import answer_customer
from virtual_agent.models import BusinessNumberSetting, FrontDoorMode, Session
from virtual_agent.tests.conversing import Customer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("live_worker_paused"),  # these run the listener themselves; the live worker must not
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite has no row locks, so no race can be shown there; CI runs these on PostgreSQL",
    ),
]


@pytest.fixture
def switched_on():
    from virtual_agent.defaults import seed_defaults
    from virtual_agent.models import CommandLanguage, CommandWord, Step, Topic

    seed_defaults(Topic, Step, CommandLanguage, CommandWord)  # a migration's data, gone with the last test's flush
    return BusinessNumberSetting.objects.create(account_id="", mode=FrontDoorMode.ALWAYS)


def recorded(customer: Customer, text: str) -> Message:
    return record_inbound_message(event=inbound_message(sender_id=customer.wa_id, sender_name=customer.name, text=text))


def bot_replies() -> list[str]:
    return list(
        Message.objects.filter(direction=Direction.OUTBOUND).order_by("sequence").values_list("text", flat=True)
    )


def test_the_same_run_twice_at_once_answers_once(switched_on):
    customer = Customer()
    message = recorded(customer, "Hello")

    race_behind_the_channel_user(
        message.interaction.channel_user, lambda: answer_customer(message), lambda: answer_customer(message)
    )

    assert len(bot_replies()) == 1
    assert Session.objects.get().handled_through == message.sequence


def test_two_messages_whose_runs_come_in_reverse_are_each_answered_once_in_order(switched_on):
    customer = Customer()
    first = recorded(customer, "Hello")
    second = recorded(customer, "3")

    race_behind_the_channel_user(
        first.interaction.channel_user, lambda: answer_customer(second), lambda: answer_customer(first)
    )

    [reply] = bot_replies()  # the later run read both, in order: one turn, one message
    assert reply.startswith("Hi! I'm the virtual agent.") and "describe the problem" in reply
    assert Session.objects.get().handled_through == second.sequence


def test_the_next_message_racing_the_hand_over_deadlocks_neither(switched_on):
    serving_agent(QueueFactory(default=True, waiting_message=""))
    customer = Customer()
    customer.says("Hello")
    agent_please = recorded(customer, "agent")

    _, later = race_behind_the_channel_user(
        agent_please.interaction.channel_user,
        lambda: answer_customer(agent_please),
        lambda: record_inbound_message(event=inbound_message(sender_id=customer.wa_id, text="Anyone there?")),
    )

    assert WorkItem.objects.get().interaction_id == agent_please.interaction_id
    assert Message.objects.get(pk=later.pk).interaction_id == agent_please.interaction_id
    assert customer.interaction.automated_responder == ""
