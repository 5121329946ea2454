"""The lifecycle's paths racing each other in real transactions on PostgreSQL: the idle sweep against the customer
answering, and a wrap-up submitted twice at once. Each race is arranged behind the customer's row lock, as in
interactions/tests/test_lock_order.py; `interactions/tests/row_races.py` runs them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from interactions.models import Interaction, InteractionState
from interactions.services.inbound import record_inbound_message
from interactions.services.lifecycle import close_interaction
from interactions.services.outbound import ActionRefused, send_agent_reply
from interactions.tests.core_events import inbound_message
from interactions.tests.row_races import race_behind_the_channel_user
from routing.models import ResolutionCode, WrapUp
from routing.services.idle import remind_or_close_idle_interactions, settle_idle_interaction
from routing.services.wrap_up import wrap_up_interaction
from tests.factories import agent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite has no row locks, so no race can be arranged there; CI runs these on PostgreSQL",
    ),
]

CUSTOMER = "16505551234"


@pytest.fixture
def reminded_long_ago() -> Interaction:
    """The customer never answered the agent, nor the reminder: the next sweep closes it."""
    first = record_inbound_message(event=inbound_message(sender_id=CUSTOMER, text="Is it in stock?"))
    send_agent_reply(interaction=first.interaction, author=agent(), text="Which size?")
    assert remind_or_close_idle_interactions(now=timezone.now() + timedelta(minutes=15)).reminded == 1
    return Interaction.objects.get(pk=first.interaction_id)


def _sweep_later(interaction: Interaction):
    return lambda: settle_idle_interaction(interaction_id=interaction.pk, now=timezone.now() + timedelta(hours=1))


def _customer_answers():
    return record_inbound_message(event=inbound_message(sender_id=CUSTOMER, text="Size M!"))


def test_a_customer_answering_just_before_the_sweep_keeps_the_conversation_open(reminded_long_ago):
    answer, outcome = race_behind_the_channel_user(
        reminded_long_ago.channel_user, _customer_answers, _sweep_later(reminded_long_ago)
    )

    assert (answer.interaction_id, outcome) == (reminded_long_ago.pk, "")
    reminded_long_ago.refresh_from_db()
    assert reminded_long_ago.state == InteractionState.WORK_IN_PROGRESS


def test_a_customer_answering_just_after_the_sweep_closed_starts_a_new_conversation(reminded_long_ago):
    outcome, answer = race_behind_the_channel_user(
        reminded_long_ago.channel_user, _sweep_later(reminded_long_ago), _customer_answers
    )

    assert outcome == "closed"
    reminded_long_ago.refresh_from_db()
    assert reminded_long_ago.state == InteractionState.CLOSED_ABANDONED
    assert answer.interaction_id != reminded_long_ago.pk
    assert Interaction.objects.get(pk=answer.interaction_id).is_open


def test_a_wrap_up_submitted_twice_at_once_is_recorded_once():
    person = agent()
    first = record_inbound_message(event=inbound_message(sender_id=CUSTOMER, text="Thanks, all good."))
    send_agent_reply(interaction=first.interaction, author=person, text="Glad to help!")
    interaction = close_interaction(interaction=first.interaction, by=person, state=InteractionState.CLOSED_COMPLETE)
    code = ResolutionCode.objects.create(text="Resolved")

    def submit():
        try:
            return wrap_up_interaction(interaction=interaction, agent=person, resolution_code=code)
        except ActionRefused as refusal:
            return refusal

    outcomes = race_behind_the_channel_user(interaction.channel_user, submit, submit)

    assert isinstance(outcomes[0], WrapUp)
    assert isinstance(outcomes[1], ActionRefused) and "already wrapped up" in outcomes[1].reason
    assert WrapUp.objects.count() == 1
