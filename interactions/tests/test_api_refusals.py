"""A service's refusal gets the same answer from every view: its status follows from the refusal's class alone
(interactions/api/exceptions.py), with the reason a person can read in `detail`."""

import json

import pytest
from django.test import Client

from interactions.models import InteractionState
from tests.consent_factories import opted_in
from tests.factories import ChannelUserFactory, InteractionFactory, agent, manager

pytestmark = pytest.mark.django_db


def api_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, body: dict | None = None, **headers):
    return client.post(url, json.dumps(body or {}), content_type="application/json", headers=headers)


def test_a_reply_outside_the_window_and_closing_a_closed_interaction_are_both_409():
    person = agent()
    closed_window = InteractionFactory(channel_user=ChannelUserFactory(window_closed=True), assigned_to=person)
    closed = InteractionFactory(state=InteractionState.CLOSED_COMPLETE, assigned_to=person)
    client = api_client(person)

    reply = post(client, f"/api/v1/interactions/{closed_window.pk}/messages/", {"text": "Hello?"})
    close = post(client, f"/api/v1/interactions/{closed.pk}/close/")

    assert (reply.status_code, close.status_code) == (409, 409)
    assert "window" in reply.json()["detail"] and "already closed" in close.json()["detail"]


def test_starting_a_conversation_that_is_already_open_is_409_naming_it():
    open_interaction = InteractionFactory()
    opted_in(open_interaction.channel_user)

    response = post(
        api_client(agent()),
        "/api/v1/conversations/",
        {"channel_user_id": open_interaction.channel_user_id, "text": "Hello"},
    )

    assert response.status_code == 409
    assert response.json()["interaction_id"] == open_interaction.pk
    assert open_interaction.number in response.json()["detail"]


def test_a_notification_refused_by_a_service_is_409_like_everywhere_else_and_a_reused_key_422():
    customer = ChannelUserFactory(external_id="4915112345678")
    opted_in(customer)
    client = api_client(agent())
    body = {"channel_user_id": customer.pk, "reason": "order shipped", "text": "Your order shipped."}

    first = post(client, "/api/v1/notifications/", body, **{"Idempotency-Key": "order-1"})
    reused = post(client, "/api/v1/notifications/", {**body, "text": "Other"}, **{"Idempotency-Key": "order-1"})

    assert first.status_code == 201
    assert reused.status_code == 422
    assert "already used for a different request" in reused.json()["detail"]


def test_a_manager_cannot_send_the_opt_in_question():
    interaction = InteractionFactory()

    response = post(api_client(manager()), f"/api/v1/interactions/{interaction.pk}/ask-consent/")

    assert response.status_code == 403
    assert not interaction.messages.exists()
