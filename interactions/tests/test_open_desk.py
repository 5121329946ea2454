"""Without routing's rules (no audience policy registered) the desk is open as it always was: every agent sees
every conversation and every socket of someone who may view interactions hears every push."""

from collections.abc import Iterator

import pytest

from interactions import audience
from interactions.audience import (
    DEFAULT_POLICY,
    groups_for_interaction,
    groups_for_user,
    may_see_interaction,
    register_audience_policy,
)
from interactions.tests.timelines import client_for
from tests.factories import InteractionFactory, UserFactory, agent, manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_desk() -> Iterator[None]:
    """As a deployment without routing has it (routing registers its own policy when its app is ready)."""
    registered = audience.audience_policy()
    register_audience_policy(DEFAULT_POLICY)
    yield
    register_audience_policy(registered)


def test_every_agent_sees_every_conversation_and_hears_it_in_the_one_workspace_group(open_desk):
    alice, bob = agent(), agent()
    his, waiting = InteractionFactory(assigned_to=bob), InteractionFactory()

    response = client_for(alice).get("/api/v1/interactions/")

    assert {row["id"] for row in response.json()["results"]} == {his.pk, waiting.pk}
    assert client_for(alice).get(f"/api/v1/interactions/{his.pk}/messages/").status_code == 200
    assert may_see_interaction(alice, his)
    assert groups_for_interaction(his) == {"workspace", "supervisors"}
    assert groups_for_user(alice) == {"workspace", f"user.{alice.pk}"}


def test_managers_hear_the_supervisors_group_and_people_without_a_role_hear_nothing(open_desk):
    boss, nobody = manager(), UserFactory()

    assert groups_for_user(boss) == {"workspace", "supervisors", f"user.{boss.pk}"}
    assert groups_for_user(nobody) == set()
    assert not may_see_interaction(nobody, InteractionFactory())
    assert client_for(nobody).get("/api/v1/interactions/").json()["results"] == []


def test_without_routing_a_colleague_helping_out_may_write_in_another_agents_conversation(open_desk):
    alice, bob = agent(), agent()
    his = InteractionFactory(assigned_to=bob)

    response = client_for(alice).post(f"/api/v1/interactions/{his.pk}/messages/", {"text": "Hi, I'm covering."})

    assert response.status_code == 201
    his.refresh_from_db()
    assert his.assigned_to == bob  # helping out does not take it over
