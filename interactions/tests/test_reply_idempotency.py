"""An agent's message sent with an Idempotency-Key goes out once, however often its request is retried: a client
that got no answer, or a 5xx from a server that failed after committing, sends again with the same key."""

import json

import pytest
from django.db import connection
from django.test import Client

from interactions.models import Interaction, InteractionState, Message
from interactions.services.lifecycle import close_interaction
from interactions.services.outbound import send_agent_reply
from interactions.tests.row_races import race_behind_the_channel_user
from tests.factories import InteractionFactory, agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return agent()


@pytest.fixture
def interaction(person):
    return InteractionFactory(assigned_to=person, state=InteractionState.WORK_IN_PROGRESS)


def send(person, interaction, body: dict, key: str | None = "reply-1"):
    client = Client()
    client.force_login(person)
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.post(
        f"/api/v1/interactions/{interaction.pk}/messages/", json.dumps(body), content_type="application/json",
        headers=headers,
    )  # fmt: skip


def test_a_retried_reply_is_sent_once_and_the_retry_answers_with_it(person, interaction):
    first = send(person, interaction, {"text": "Your parcel left today."})
    retry = send(person, interaction, {"text": "Your parcel left today."})

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == first.json()["id"]
    assert retry["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert Message.objects.filter(interaction=interaction).count() == 1


def test_a_retry_after_the_conversation_closed_still_answers_with_the_message_sent(person, interaction):
    sent = send(person, interaction, {"text": "Anything else?"}).json()
    close_interaction(interaction=interaction, by=person, state=InteractionState.CLOSED_COMPLETE)

    retry = send(person, interaction, {"text": "Anything else?"})

    assert (retry.status_code, retry.json()["id"]) == (200, sent["id"])


def test_a_retry_after_a_colleague_took_the_conversation_still_answers_with_the_message_sent(person, interaction):
    sent = send(person, interaction, {"text": "Let me check."}).json()
    Interaction.objects.filter(pk=interaction.pk).update(assigned_to=agent())  # reassigned by a supervisor

    retry = send(person, interaction, {"text": "Let me check."})

    assert (retry.status_code, retry.json()["id"]) == (200, sent["id"])


def test_a_key_used_for_another_message_is_refused_and_sends_nothing(person, interaction):
    send(person, interaction, {"text": "Your parcel left today."})

    reused = send(person, interaction, {"text": "Sorry, it leaves tomorrow."})
    elsewhere = send(person, InteractionFactory(assigned_to=person), {"text": "Your parcel left today."})

    assert (reused.status_code, elsewhere.status_code) == (422, 422)
    assert "already used for a different message" in reused.json()["detail"]
    assert Message.objects.count() == 1


def test_keys_are_each_agents_own(person, interaction):
    colleague = agent()
    theirs = InteractionFactory(assigned_to=colleague, state=InteractionState.WORK_IN_PROGRESS)

    assert send(person, interaction, {"text": "Hello"}).status_code == 201
    assert send(colleague, theirs, {"text": "Hello"}).status_code == 201


def test_a_rich_message_is_replayed_too(person, interaction):
    body = {"kind": "location", "content": {"latitude": 52.52, "longitude": 13.405, "name": "Our shop"}}

    first, retry = send(person, interaction, body), send(person, interaction, body)

    assert (first.status_code, retry.status_code, retry.json()["id"]) == (201, 200, first.json()["id"])


def test_without_a_key_each_request_sends(person, interaction):
    send(person, interaction, {"text": "Hello"}, key=None)
    send(person, interaction, {"text": "Hello"}, key=None)

    assert Message.objects.filter(interaction=interaction).count() == 2


@pytest.mark.parametrize("key", ["x" * 201, "tab\there"])
def test_an_unusable_key_is_refused_with_why(person, interaction, key):
    answer = send(person, interaction, {"text": "Hello"}, key=key)

    assert answer.status_code == 400
    assert "Send an Idempotency-Key header" in json.dumps(answer.json())
    assert not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks to race behind (CI runs it)")
def test_a_request_and_its_retry_at_the_same_moment_send_once(person, interaction):
    def send_it():
        return send_agent_reply(interaction=interaction, author=person, text="On its way", idempotency_key="k-1")

    first, retry = race_behind_the_channel_user(interaction.channel_user, send_it, send_it)

    assert first.pk == retry.pk
    assert Message.objects.filter(interaction=interaction).count() == 1
