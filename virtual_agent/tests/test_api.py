"""The API an agent uses to hand a conversation back to the virtual agent and take it again, and its topics."""

import pytest
from rest_framework.test import APIClient

from interactions.models import Direction
from tests.factories import InteractionFactory, agent, agent_holding, manager

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_topics_are_listed_for_agents():
    answer = client_for(agent()).get("/api/v1/virtual-agent/topics/")
    assert answer.status_code == 200
    assert [topic["key"] for topic in answer.json()][:3] == ["knowledge", "catalog", "report-problem"]


def test_an_agent_hands_a_conversation_to_the_virtual_agent_and_takes_it_back():
    interaction = InteractionFactory()
    person = agent_holding(interaction)
    client = client_for(person)

    handed = client.post(f"/api/v1/interactions/{interaction.pk}/virtual-agent/", {"topic": "catalog"}, format="json")

    assert handed.status_code == 200, handed.content
    assert handed.json()["automated_responder"] == "virtual_agent"
    asked = interaction.messages.get(direction=Direction.OUTBOUND)
    assert asked.content["automated"] == "virtual_agent"
    again = client.post(f"/api/v1/interactions/{interaction.pk}/virtual-agent/", {}, format="json")
    assert again.status_code == 409 and "already with the virtual agent" in again.json()["detail"]

    taken = client.delete(f"/api/v1/interactions/{interaction.pk}/virtual-agent/")

    assert taken.status_code == 200
    assert taken.json()["automated_responder"] == "" and taken.json()["assigned_to_id"] == person.pk
    assert client.delete(f"/api/v1/interactions/{interaction.pk}/virtual-agent/").status_code == 409


def test_an_unknown_topic_is_refused_and_nothing_changes():
    interaction = InteractionFactory()
    client = client_for(agent_holding(interaction))
    answer = client.post(f"/api/v1/interactions/{interaction.pk}/virtual-agent/", {"topic": "nope"}, format="json")
    assert answer.status_code == 409 and "no topic 'nope'" in answer.json()["detail"]
    interaction.refresh_from_db()
    assert interaction.automated_responder == ""


def test_a_colleague_cannot_hand_over_someone_elses_conversation():
    interaction = InteractionFactory()
    agent_holding(interaction)
    answer = client_for(agent()).post(f"/api/v1/interactions/{interaction.pk}/virtual-agent/", {}, format="json")
    assert answer.status_code == 404


def test_a_manager_is_forbidden_to_hand_over_or_take_conversations():
    interaction = InteractionFactory()
    agent_holding(interaction)
    client = client_for(manager())
    assert client.post(f"/api/v1/interactions/{interaction.pk}/virtual-agent/", {}, format="json").status_code == 403
    assert client.delete(f"/api/v1/interactions/{interaction.pk}/virtual-agent/").status_code == 403
    interaction.refresh_from_db()
    assert interaction.automated_responder == ""
