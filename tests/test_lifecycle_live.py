"""The lifecycle on the real system (daphne, the Celery worker, the emulator): an internal note never reaches the
customer's phone; a customer who stops answering gets the reminder on the phone from the worker's sweep, then the
closing message, and every workspace sees the conversation close as abandoned."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import wait_until
from interactions.models import Interaction, InteractionState, Message
from routing.configuration import routing_configuration
from routing.lifecycle_tasks import sweep_idle_interactions
from routing.services.idle import IDLE_STATE_REASON, REMINDER
from tests.factories import agent_holding
from tests.test_conversation import CUSTOMER, api, customer_writes, next_pushed, reply, workspace_socket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def interaction_closed(interaction: Interaction) -> bool:
    interaction.refresh_from_db()
    return not interaction.is_open


def test_a_silent_customer_is_reminded_then_closed_on_the_phone_and_notes_never_leave_the_desk(live_system):
    configuration = routing_configuration()  # the worker reads the same defaults
    inbound = customer_writes(live_system, "Do you ship to Canada?")
    interaction = inbound.interaction
    person = agent_holding(interaction)
    answered = reply(live_system, person, interaction, "We do. Which province?")
    assert answered.status_code == 201, answered.text
    live_system.emulator.wait_for_sent_message(to=CUSTOMER)
    noted = api(live_system, person).post(
        f"{live_system.web_url}/api/v1/interactions/{interaction.pk}/notes/",
        json={"text": "INTERNAL: customer asked about duties last year"},
        timeout=10,
    )
    assert noted.status_code == 201, noted.text
    # The customer has not answered for longer than the reminder time.
    Message.objects.filter(pk=answered.json()["id"]).update(
        sent_at=timezone.now() - configuration.idle_reminder_after - timedelta(seconds=5)
    )

    sweep_idle_interactions.delay()

    reminder = live_system.emulator.wait_for_sent_message(to=CUSTOMER, count=2)
    assert reminder["text"]["body"] == configuration.idle_reminder_text
    interaction.messages.filter(content__automated=REMINDER).update(
        sent_at=timezone.now() - configuration.idle_close_after - timedelta(seconds=5)
    )
    with workspace_socket(live_system, person) as socket:  # the agent who replied holds it
        assert next_pushed(socket, "hello")

        sweep_idle_interactions.delay()

        pushed = next_pushed(socket, "interaction.changed")
        while pushed["interaction"]["state"] != InteractionState.CLOSED_ABANDONED:
            pushed = next_pushed(socket, "interaction.changed")
    assert pushed["interaction"]["state_reason"] == IDLE_STATE_REASON
    closing = live_system.emulator.wait_for_sent_message(to=CUSTOMER, count=3)
    assert closing["text"]["body"] == configuration.idle_closing_text
    wait_until(lambda: interaction_closed(interaction), message="the conversation closed")
    assert (interaction.state, interaction.state_reason) == (InteractionState.CLOSED_ABANDONED, IDLE_STATE_REASON)
    on_the_phone = [sent["text"]["body"] for sent in live_system.emulator.sent_messages(CUSTOMER)]
    assert on_the_phone == [
        "We do. Which province?",
        configuration.idle_reminder_text,
        configuration.idle_closing_text,
    ]
