"""Reading timelines costs the same number of queries for 5 messages as for 50, and long ones come in pages
(keyset on the message sequence) that load earlier messages on request."""

import pytest

from interactions.models import Interaction
from interactions.selectors import CATCH_UP_LIMIT, timeline_changes
from interactions.tests.timelines import client_for, conversation
from tests.factories import agent

pytestmark = pytest.mark.django_db

# What one request may cost whatever the number of messages or interactions: the permission check, the
# interaction(s), the messages and their reactions (4 today; one to spare for a check added per request).
MAX_QUERIES = 5


@pytest.fixture
def reader():
    return agent()


@pytest.mark.parametrize("size", [5, 50])
def test_the_interaction_detail_costs_the_same_queries_for_5_and_50_messages(
    size, reader, django_assert_max_num_queries
):
    interaction = conversation(size, assigned_to=reader)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = client_for(reader).get(f"/api/v1/interactions/{interaction.pk}/")

    assert response.status_code == 200
    messages = response.json()["messages"]
    assert len(messages) == min(interaction.messages.count(), 50)
    reacted = [message for message in messages if message["reactions"]]
    assert reacted and {reaction["direction"] for reaction in reacted[0]["reactions"]} == {"inbound", "outbound"}
    assert any(message["quoted"] for message in messages)
    assert any(message["attachment"] for message in messages)
    assert any(message["link_preview"] and message["link_preview"]["state"] == "ready" for message in messages)


@pytest.mark.parametrize("size", [5, 50])
def test_catching_up_costs_the_same_queries_for_5_and_50_messages(size, reader, django_assert_max_num_queries):
    interaction = conversation(size, assigned_to=reader)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = client_for(reader).get(f"/api/v1/interactions/{interaction.pk}/messages/?after_revision=0")

    assert response.status_code == 200
    assert len(response.json()["messages"]) == interaction.messages.count()


@pytest.mark.parametrize("size", [5, 50])
def test_a_page_of_the_timeline_costs_the_same_queries_for_5_and_50_messages(
    size, reader, django_assert_max_num_queries
):
    interaction = conversation(size, assigned_to=reader)
    client = client_for(reader)

    with django_assert_max_num_queries(MAX_QUERIES):
        newest = client.get(f"/api/v1/interactions/{interaction.pk}/messages/?limit=20").json()
    with django_assert_max_num_queries(MAX_QUERIES):
        earlier = client.get(f"/api/v1/interactions/{interaction.pk}/messages/?before={size}&limit=200").json()

    assert len(newest["messages"]) == min(interaction.messages.count(), 20)
    assert [message["sequence"] for message in earlier["messages"]] == list(range(1, size))


@pytest.mark.parametrize("size", [5, 50])
def test_the_interaction_list_costs_the_same_queries_for_5_and_50_interactions(
    size, reader, django_assert_max_num_queries
):
    agents = (agent(), agent())
    for _ in range(size):
        interaction = conversation(5, agents=agents)
        Interaction.objects.filter(pk=interaction.pk).update(assigned_to=reader)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = client_for(reader).get("/api/v1/interactions/?state=open&limit=200")

    assert response.status_code == 200
    assert len(response.json()["results"]) == size


def test_a_long_timeline_is_read_newest_page_first_then_earlier_pages_without_gaps_or_repeats(reader):
    interaction = conversation(120, assigned_to=reader)  # with reactions: more rows than that
    total = interaction.messages.count()
    client = client_for(reader)

    detail = client.get(f"/api/v1/interactions/{interaction.pk}/").json()
    sequences = [message["sequence"] for message in detail["messages"]]
    assert sequences == list(range(total - 49, total + 1))
    cursor = detail["earlier"]
    pages = 1
    while cursor is not None:
        # A message arriving meanwhile shifts nothing: pages are found by sequence, not by offset.
        page = client.get(f"/api/v1/interactions/{interaction.pk}/messages/?before={cursor}").json()
        sequences = [message["sequence"] for message in page["messages"]] + sequences
        cursor = page["earlier"]
        pages += 1

    assert sequences == list(range(1, total + 1))
    assert pages == -(-total // 50)


@pytest.mark.parametrize(
    "query",
    [
        "after_revision=²",
        "before=-1",
        "before=9223372036854775808",
        "limit=0",
        "limit=201",
        "after_revision=1&before=5",
    ],
)
def test_a_malformed_page_request_is_refused_with_a_reason(query, reader):
    interaction = conversation(5, assigned_to=reader)

    response = client_for(reader).get(f"/api/v1/interactions/{interaction.pk}/messages/?{query}")

    assert response.status_code == 400
    assert response.json()


def test_catching_up_after_a_long_time_away_comes_in_bounded_answers_that_miss_nothing(reader):
    interaction = conversation(120, assigned_to=reader)
    total = interaction.messages.count()
    client = client_for(reader)
    cursor, seen, answers = 0, [], 0

    while True:
        answer = timeline_changes(interaction=Interaction.objects.get(pk=interaction.pk), after=cursor, limit=50)
        seen += [message.pk for message in answer.messages]
        cursor, answers = answer.revision, answers + 1
        if not answer.more:
            break

    assert sorted(seen) == sorted(interaction.messages.values_list("pk", flat=True))
    assert len(seen) == total and answers == -(-total // 50)
    response = client.get(f"/api/v1/interactions/{interaction.pk}/messages/?after_revision=0").json()
    assert total < CATCH_UP_LIMIT
    assert (len(response["messages"]), response["more"], response["revision"]) == (total, False, total)
