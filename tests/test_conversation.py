"""A WhatsApp conversation end to end on real parts: emulator → webhook → worker → database → WebSocket,
and agent → API → outbox → worker → Graph API (emulator) → status webhooks → ticks."""

import json

import pytest
import requests
from django.test import Client
from rest_framework.authtoken.models import Token
from websockets.sync.client import connect

from conftest import LiveSystem, wait_until
from interactions.models import DeliveryAttempt, DeliveryStatusEvent, Interaction, Message
from tests.factories import agent_holding, manager

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CUSTOMER = "16505551234"


def api(system: LiveSystem, user) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Token {Token.objects.get_or_create(user=user)[0].key}"
    session.base_url = system.web_url
    return session


def reply(system: LiveSystem, user, interaction: Interaction, text: str) -> requests.Response:
    return api(system, user).post(
        f"{system.web_url}/api/v1/interactions/{interaction.pk}/messages/", json={"text": text}, timeout=10
    )


def customer_writes(system: LiveSystem, text: str, wa_id: str = CUSTOMER) -> Message:
    wamid = system.emulator.customer_sends(wa_id, text, name="Sheena Nelson")
    return wait_until(lambda: Message.objects.filter(external_id=wamid).first(), message=f"inbound {text!r}")


def message_status(message: Message, status: str) -> bool:
    message.refresh_from_db()
    return message.status == status


def workspace_socket(system: LiveSystem, user, *, web_url: str = "", **options):
    """A signed-in workspace socket on the live web server, or on the one at `web_url`."""
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    web_url = web_url or system.web_url
    ws_url = web_url.replace("http://", "ws://") + "/ws/workspace/"
    return connect(ws_url, additional_headers={"Cookie": cookie, "Origin": web_url}, open_timeout=10, **options)


def next_pushed(socket, event_type: str, *, timeout: float = 30) -> dict:
    """The next pushed event of `event_type`; pushes come as lists of events, other frames are passed over."""
    while True:
        data = json.loads(socket.recv(timeout=timeout))
        for event in data if isinstance(data, list) else [data]:
            if event["type"] == event_type:
                return event


def test_a_new_customers_message_reaches_every_managers_workspace_socket(live_system):
    """Nobody holds a new conversation yet: managers see it (agents once it is offered or assigned to them,
    tests/test_live_audience.py)."""
    with workspace_socket(live_system, manager()) as first, workspace_socket(live_system, manager()) as second:
        for socket in (first, second):
            assert json.loads(socket.recv(timeout=10))["type"] == "hello"

        live_system.emulator.customer_sends(CUSTOMER, "Does it come in another color?", name="Sheena Nelson")

        for socket in (first, second):
            pushed = next_pushed(socket, "message.changed")
            assert pushed["message"]["text"] == "Does it come in another color?"
            assert pushed["message"]["direction"] == "inbound"
            assert pushed["interaction"]["unread_count"] == 1  # the interaction's change rides along
    interaction = Interaction.objects.get()
    assert interaction.channel_user.display_name == "Sheena Nelson"
    assert interaction.number.startswith("IMS")
    assert interaction.unread_count == 1


def test_a_socket_without_a_signed_in_agent_is_refused(live_system):
    ws_url = live_system.web_url.replace("http://", "ws://") + "/ws/workspace/"
    with (
        pytest.raises(Exception, match=r"4403|403|closed"),
        connect(ws_url, additional_headers={"Origin": live_system.web_url}, open_timeout=10) as socket,
    ):
        socket.recv(timeout=10)


def test_the_agents_reply_reaches_the_phone_and_its_ticks_come_back_to_read(live_system):
    inbound = customer_writes(live_system, "Where is my order?")
    person = agent_holding(inbound.interaction)

    response = reply(live_system, person, inbound.interaction, "It ships today: https://example.com/track")

    assert response.status_code == 201, response.text
    sent = live_system.emulator.wait_for_sent_message(to=CUSTOMER)
    assert sent["text"] == {"body": "It ships today: https://example.com/track", "preview_url": True}
    outbound = Message.objects.get(pk=response.json()["id"])
    wait_until(lambda: message_status(outbound, "delivered"), message="delivered tick")
    live_system.emulator.customer_reads(CUSTOMER)
    wait_until(lambda: message_status(outbound, "read"), message="read tick")
    assert outbound.external_id == sent["id"]
    interaction = Interaction.objects.get()
    assert interaction.state == "work_in_progress"
    assert interaction.assigned_to == person


def test_duplicate_and_reordered_deliveries_have_one_effect(live_system):
    live_system.emulator.set_faults(duplicate_deliveries=True, reorder_statuses=True)
    inbound = customer_writes(live_system, "Hello twice?")
    response = reply(live_system, agent_holding(inbound.interaction), inbound.interaction, "Hello once.")
    outbound = Message.objects.get(pk=response.json()["id"])
    live_system.emulator.wait_for_sent_message(to=CUSTOMER)
    live_system.emulator.customer_reads(CUSTOMER)

    wait_until(lambda: message_status(outbound, "read"), message="read after reordered statuses")
    wait_until(
        lambda: DeliveryStatusEvent.objects.filter(external_id=outbound.external_id, status="sent").exists(),
        message="the 'sent' status, released after 'read'",
    )
    outbound.refresh_from_db()
    assert outbound.status == "read"  # the late 'sent' did not step it back
    assert Message.objects.filter(direction="inbound").count() == 1
    # Read at once, so Meta sends no 'delivered'; each status that came twice was kept once.
    statuses = list(
        DeliveryStatusEvent.objects.filter(external_id=outbound.external_id).values_list("status", flat=True)
    )
    assert sorted(statuses) == ["read", "sent"]
    assert Interaction.objects.get().unread_count == 0  # the reply cleared it; the duplicate never counted


def test_a_dropped_webhook_is_redelivered_and_recorded_once(live_system):
    live_system.emulator.set_faults(drop_next_webhooks=1)
    customer_writes(live_system, "Are you there?")
    assert Message.objects.filter(text="Are you there?").count() == 1


def test_server_errors_then_success_send_the_message_exactly_once(live_system):
    inbound = customer_writes(live_system, "Hi")
    live_system.emulator.set_faults(fail_next_sends=2)

    response = reply(live_system, agent_holding(inbound.interaction), inbound.interaction, "Retried until accepted")

    outbound = Message.objects.get(pk=response.json()["id"])
    wait_until(lambda: message_status(outbound, "delivered"), timeout=40, message="delivery after 5xx")
    assert len(live_system.emulator.sent_messages(CUSTOMER)) == 1
    outcomes = list(DeliveryAttempt.objects.filter(message=outbound).values_list("outcome", flat=True))
    assert outcomes == ["retryable", "retryable", "accepted"]


def test_a_closed_window_at_meta_shows_131047_as_failed(live_system):
    inbound = customer_writes(live_system, "Hi")
    live_system.emulator.set_customer(CUSTOMER, window_open=False)

    response = reply(live_system, agent_holding(inbound.interaction), inbound.interaction, "Too late")

    outbound = Message.objects.get(pk=response.json()["id"])
    wait_until(lambda: message_status(outbound, "failed"), message="131047 failure")
    assert (outbound.error_code, outbound.error_title) == ("131047", "Re-engagement message")
    assert DeliveryAttempt.objects.filter(message=outbound).count() == 1  # permanent: never retried


@pytest.mark.parametrize("faults", [{}, {"undeliverable_sync": True}], ids=["failed-status-webhook", "sync-error"])
def test_a_number_not_on_whatsapp_ends_in_the_same_visible_failure(live_system, faults):
    inbound = customer_writes(live_system, "Hi")
    live_system.emulator.set_customer(CUSTOMER, on_whatsapp=False)
    live_system.emulator.set_faults(**faults)

    response = reply(live_system, agent_holding(inbound.interaction), inbound.interaction, "Can you read this?")

    outbound = Message.objects.get(pk=response.json()["id"])
    wait_until(lambda: message_status(outbound, "failed"), message="131026 failure")
    assert (outbound.error_code, outbound.error_title) == ("131026", "Message undeliverable")
    customer = inbound.interaction.channel_user
    customer.refresh_from_db()
    assert customer.unreachable_since is not None  # known off WhatsApp, with the date: no outreach to it


def test_the_api_refuses_a_reply_outside_the_window_with_its_reason(live_system):
    inbound = customer_writes(live_system, "Hi")
    inbound.interaction.channel_user.__class__.objects.update(last_inbound_at="2020-01-01T00:00:00Z")

    response = reply(live_system, agent_holding(inbound.interaction), inbound.interaction, "Hello?")

    assert response.status_code == 409
    assert "24-hour customer service window closed" in response.json()["detail"]
    assert not live_system.emulator.sent_messages(CUSTOMER)


def test_managers_read_but_cannot_send(live_system):
    inbound = customer_writes(live_system, "Hi")
    reader = manager()

    listing = api(live_system, reader).get(f"{live_system.web_url}/api/v1/interactions/?wa_id={CUSTOMER}", timeout=10)
    refused = reply(live_system, reader, inbound.interaction, "I am a manager")

    assert listing.status_code == 200 and listing.json()["count"] == 1
    assert refused.status_code == 403
