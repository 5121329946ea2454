"""A customer who stops answering gets a reminder, then their conversation closes as abandoned, with an optional
closing message; the window and their opt-out decide whether either message may go."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consent.models import ConsentRecord
from consent.services import record_consent
from interactions.models import (
    Direction,
    Interaction,
    InteractionState,
    Message,
)
from interactions.services.inbound import record_inbound_message
from interactions.services.lifecycle import put_on_hold
from interactions.services.outbound import send_agent_reply
from interactions.tests.core_events import inbound_message
from properties.services import change_property
from routing.configuration import routing_configuration
from routing.services.idle import IDLE_STATE_REASON, REMINDER, remind_or_close_idle_interactions
from tests.factories import agent

pytestmark = pytest.mark.django_db

CUSTOMER = "16505551234"


@pytest.fixture(autouse=True)
def idle_times(settings):
    change_property(key="routing.idle_reminder_minutes", value=10)
    change_property(key="routing.idle_close_minutes", value=30)
    settings.ROUTING = {
        "IDLE_REMINDER_TEXT": "Are you still there?",
        "IDLE_CLOSING_TEXT": "We closed this chat; write any time.",
    }


@pytest.fixture
def waiting() -> Interaction:
    """The customer wrote, the agent answered, and the customer has not answered yet."""
    first = record_inbound_message(event=inbound_message(sender_id=CUSTOMER, text="Is it in stock?"))
    send_agent_reply(interaction=first.interaction, author=agent(), text="Which size do you need?")
    return Interaction.objects.get(pk=first.interaction_id)


def later(minutes: float):
    return timezone.now() + timedelta(minutes=minutes)


def automatic_messages(interaction: Interaction) -> list[str]:
    return list(
        interaction.messages.filter(direction=Direction.OUTBOUND, author__isnull=True)
        .order_by("sequence")
        .values_list("text", flat=True)
    )


def reminder_sent_at(interaction: Interaction, at) -> None:
    interaction.messages.filter(content__automated=REMINDER).update(sent_at=at)


def test_nothing_happens_before_the_reminder_time(waiting):
    sweep = remind_or_close_idle_interactions(now=later(9.9))

    assert (sweep.reminded, sweep.closed) == (0, 0)
    assert automatic_messages(waiting) == []


def test_a_customer_silent_since_the_agents_message_gets_the_configured_reminder_once(waiting):
    first = remind_or_close_idle_interactions(now=later(10))
    again = remind_or_close_idle_interactions(now=later(11))

    assert (first.reminded, again.reminded) == (1, 0)
    assert automatic_messages(waiting) == ["Are you still there?"]
    assert waiting.messages.get(content__automated=REMINDER).text == "Are you still there?"
    waiting.refresh_from_db()
    assert waiting.state == InteractionState.WORK_IN_PROGRESS


def test_the_reminder_goes_to_a_customer_who_never_opted_in_since_it_answers_their_own_conversation(waiting):
    assert not ConsentRecord.objects.filter(channel_user=waiting.channel_user).exists()

    assert remind_or_close_idle_interactions(now=later(10)).reminded == 1


def test_after_the_close_time_the_conversation_closes_as_abandoned_with_the_closing_message(waiting):
    remind_or_close_idle_interactions(now=later(10))
    reminder_sent_at(waiting, later(10))
    assert remind_or_close_idle_interactions(now=later(39.9)).closed == 0

    sweep = remind_or_close_idle_interactions(now=later(40))

    assert sweep.closed == 1
    waiting.refresh_from_db()
    assert (waiting.state, waiting.state_reason, waiting.closed_by) == (
        InteractionState.CLOSED_ABANDONED,
        IDLE_STATE_REASON,
        None,
    )
    assert automatic_messages(waiting) == ["Are you still there?", "We closed this chat; write any time."]


def test_a_customer_whose_reminder_is_late_is_reminded_first_and_closed_a_full_close_time_after_it(waiting):
    """The sweep missed both times (a worker outage, or the idle times shortened meanwhile): no close unwarned."""
    late = remind_or_close_idle_interactions(now=later(45))

    assert (late.reminded, late.closed) == (1, 0)
    waiting.refresh_from_db()
    assert waiting.state == InteractionState.WORK_IN_PROGRESS
    reminder_sent_at(waiting, later(45))
    assert remind_or_close_idle_interactions(now=later(74.9)).closed == 0
    assert remind_or_close_idle_interactions(now=later(75)).closed == 1
    assert automatic_messages(waiting) == ["Are you still there?", "We closed this chat; write any time."]


def test_without_a_closing_text_it_closes_without_a_word(waiting, settings):
    settings.ROUTING = {**settings.ROUTING, "IDLE_CLOSING_TEXT": ""}
    remind_or_close_idle_interactions(now=later(10))
    reminder_sent_at(waiting, later(10))

    remind_or_close_idle_interactions(now=later(40))

    waiting.refresh_from_db()
    assert waiting.state == InteractionState.CLOSED_ABANDONED
    assert automatic_messages(waiting) == ["Are you still there?"]


def test_a_customer_who_answers_stops_the_clock(waiting):
    record_inbound_message(event=inbound_message(sender_id=CUSTOMER, text="Size M, please."))

    sweep = remind_or_close_idle_interactions(now=later(60))

    assert (sweep.reminded, sweep.closed) == (0, 0)
    assert automatic_messages(waiting) == []


def test_a_customer_who_answers_the_reminder_is_never_closed(waiting):
    remind_or_close_idle_interactions(now=later(10))
    record_inbound_message(event=inbound_message(sender_id=CUSTOMER, text="Sorry, size M."))

    remind_or_close_idle_interactions(now=later(90))

    waiting.refresh_from_db()
    assert waiting.is_open


def test_the_agent_writing_again_starts_a_new_wait_with_a_new_reminder(waiting):
    remind_or_close_idle_interactions(now=later(10))
    send_agent_reply(interaction=waiting, author=waiting.assigned_to, text="We also have it in blue.")
    Message.objects.filter(interaction=waiting, author__isnull=False).update(
        sent_at=timezone.now() - timedelta(minutes=5)
    )

    assert remind_or_close_idle_interactions(now=timezone.now()).reminded == 0
    assert remind_or_close_idle_interactions(now=later(5)).reminded == 1
    assert automatic_messages(waiting) == ["Are you still there?", "Are you still there?"]


def test_an_interaction_on_hold_is_reminded_and_closed_like_one_in_progress(waiting):
    put_on_hold(interaction=waiting, by=waiting.assigned_to, reason="The size")

    remind_or_close_idle_interactions(now=later(10))
    reminder_sent_at(waiting, later(10))
    remind_or_close_idle_interactions(now=later(40))

    waiting.refresh_from_db()
    assert waiting.state == InteractionState.CLOSED_ABANDONED
    assert automatic_messages(waiting)[0] == "Are you still there?"


def test_a_conversation_no_agent_has_answered_is_left_to_routing():
    record_inbound_message(event=inbound_message(sender_id=CUSTOMER, text="Hello?"))

    sweep = remind_or_close_idle_interactions(now=later(600))

    assert (sweep.reminded, sweep.closed) == (0, 0)


def test_outside_the_window_no_reminder_goes_and_the_conversation_still_closes_on_time(waiting, caplog):
    customer = waiting.channel_user
    customer.last_inbound_at = timezone.now() - timedelta(hours=25)
    customer.save(update_fields=["last_inbound_at"])

    assert remind_or_close_idle_interactions(now=later(10)).reminded == 0
    assert remind_or_close_idle_interactions(now=later(39.9)).closed == 0
    assert remind_or_close_idle_interactions(now=later(40)).closed == 1  # the reminder's due time + the close time

    assert "window" in caplog.text  # why the reminder did not go
    waiting.refresh_from_db()
    assert waiting.state == InteractionState.CLOSED_ABANDONED
    assert automatic_messages(waiting) == []  # neither message could go


def test_after_the_customers_opt_out_neither_message_is_sent(waiting):
    record_consent(channel_user=waiting.channel_user, status="opted_out", method="keyword", recorded_by=None)

    remind_or_close_idle_interactions(now=later(10))
    remind_or_close_idle_interactions(now=later(40))

    assert automatic_messages(waiting) == []
    waiting.refresh_from_db()
    assert waiting.state == InteractionState.CLOSED_ABANDONED


def test_the_times_come_from_the_system_properties(waiting):
    change_property(key="routing.idle_reminder_minutes", value=1)

    assert routing_configuration().idle_reminder_after == timedelta(minutes=1)
    assert remind_or_close_idle_interactions(now=later(1)).reminded == 1
