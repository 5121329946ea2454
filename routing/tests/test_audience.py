"""Who sees which conversation once routing runs the desk: an agent their own, their offers and the queues that
share; managers everything; anyone else's is a 404, never a 403 that admits it exists."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import Client

from interactions.audience import groups_for_interaction, groups_for_user, may_see_interaction
from interactions.models import AttachmentState, Direction, Interaction, MessageAttachment, MessageKind
from interactions.services.receipts import start_agent_typing
from interactions.tests.timelines import client_for
from routing.models import Queue, WorkItem, WorkItemState
from tests.factories import InteractionFactory, agent, manager

pytestmark = pytest.mark.django_db


def queue(key: str = "billing", *, shared: bool, agents=(), groups=()) -> Queue:
    served = Queue.objects.create(key=key, name=key.title(), agents_see_each_others_conversations=shared)
    served.agents.add(*agents)
    served.groups.add(*groups)
    return served


def work_item(interaction: Interaction, *, in_queue: Queue, offered_to=None) -> WorkItem:
    Interaction.objects.filter(pk=interaction.pk).update(queue=in_queue.key)
    return WorkItem.objects.create(
        interaction=interaction,
        queue=in_queue,
        priority=in_queue.priority,
        state=WorkItemState.OFFERED if offered_to else WorkItemState.QUEUED,
        offered_to=offered_to,
    )


def with_file(interaction: Interaction):
    message = interaction.messages.create(
        sequence=1,
        revision=1,
        direction=Direction.INBOUND,
        kind=MessageKind.IMAGE,
        status="received",
        text="",
        sent_at=interaction.opened_at,
    )
    attachment = MessageAttachment(message=message, state=AttachmentState.STORED, mime_type="image/png", size=4)
    attachment.file.save("photo.png", ContentFile(b"\x89PNG"), save=True)
    Interaction.objects.filter(pk=interaction.pk).update(last_sequence=1, revision=1)
    return message


def signed_in(user) -> Client:
    """A browser's session, for the pages outside the API (the media files)."""
    client = Client()
    client.force_login(user)
    return client


def listed_ids(user) -> set[int]:
    response = client_for(user).get("/api/v1/interactions/?limit=200")
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_an_agent_lists_and_reads_only_their_own_conversation_and_another_agents_is_404_everywhere():
    alice, bob = agent(), agent()
    hers = InteractionFactory(assigned_to=alice)
    his = InteractionFactory(assigned_to=bob)
    message = with_file(his)
    client = client_for(alice)

    assert listed_ids(alice) == {hers.pk}
    assert client.get(f"/api/v1/interactions/{hers.pk}/").status_code == 200
    for url in (
        f"/api/v1/interactions/{his.pk}/",
        f"/api/v1/interactions/{his.pk}/messages/",
        f"/api/v1/interactions/{his.pk}/messages/?after_revision=0",
        f"/api/v1/interactions/{his.pk}/attachments/",
        f"/api/v1/messages/{message.pk}/link-preview/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert his.number.encode() not in response.content
    assert signed_in(alice).get(f"/media/messages/{message.pk}/").status_code == 404
    for url, body in (
        (f"/api/v1/interactions/{his.pk}/messages/", {"text": "Not mine to answer"}),
        (f"/api/v1/interactions/{his.pk}/close/", {}),
        (f"/api/v1/interactions/{his.pk}/seen/", {}),
    ):
        assert client.post(url, body, format="json").status_code == 404, url
    his.refresh_from_db()
    assert (his.state, his.messages.count()) == ("new", 1)
    assert signed_in(bob).get(f"/media/messages/{message.pk}/").status_code == 200


def test_a_manager_sees_every_conversation_assigned_or_not():
    alice = agent()
    everyone = [InteractionFactory(assigned_to=alice), InteractionFactory(), InteractionFactory(assigned_to=agent())]

    assert listed_ids(manager()) == {interaction.pk for interaction in everyone}
    assert listed_ids(alice) == {everyone[0].pk}


def test_an_offer_shows_its_conversation_to_the_agent_offered_and_nobody_else_below_managers():
    alice, bob = agent(), agent()
    waiting = InteractionFactory()
    work_item(waiting, in_queue=queue(shared=False, agents=[alice, bob]), offered_to=alice)

    assert listed_ids(alice) == {waiting.pk}
    assert listed_ids(bob) == set()
    assert groups_for_interaction(waiting) == {f"user.{alice.pk}", "supervisors"}


@pytest.mark.parametrize("through_group", [False, True], ids=["as-its-agent", "through-a-group"])
def test_a_queue_that_shares_shows_its_waiting_and_assigned_conversations_to_all_who_serve_it(through_group):
    alice, bob, outsider = agent(), agent(), agent()
    team = Group.objects.create(name="billing team")
    team.user_set.add(alice)
    shared = queue(shared=True, agents=[] if through_group else [alice], groups=[team] if through_group else [])
    shared.agents.add(bob)
    waiting, bobs = InteractionFactory(), InteractionFactory(assigned_to=bob)
    work_item(waiting, in_queue=shared)
    Interaction.objects.filter(pk=bobs.pk).update(queue=shared.key)

    assert listed_ids(alice) == {waiting.pk, bobs.pk}
    assert listed_ids(outsider) == set()
    assert "queue.billing" in groups_for_user(alice)
    assert groups_for_interaction(bobs) == {f"user.{bob.pk}", "queue.billing", "supervisors"}


def test_a_queue_that_does_not_share_hides_its_waiting_and_colleagues_conversations():
    alice, bob = agent(), agent()
    private = queue(shared=False, agents=[alice, bob])
    waiting, bobs = InteractionFactory(), InteractionFactory(assigned_to=bob)
    work_item(waiting, in_queue=private)
    Interaction.objects.filter(pk=bobs.pk).update(queue=private.key)

    assert listed_ids(alice) == set()
    assert client_for(alice).get(f"/api/v1/interactions/{waiting.pk}/").status_code == 404
    assert not may_see_interaction(alice, bobs)
    assert groups_for_user(alice) == {f"user.{alice.pk}"}
    assert groups_for_interaction(waiting) == {"supervisors"}


def test_an_agent_cannot_type_in_another_agents_conversation():
    alice, bob = agent(), agent()
    his = InteractionFactory(assigned_to=bob)

    assert not start_agent_typing(agent=alice, interaction_id=his.pk)
    assert start_agent_typing(agent=bob, interaction_id=his.pk)


def test_reading_a_list_as_an_agent_costs_the_same_queries_for_5_and_50_conversations(django_assert_max_num_queries):
    alice = agent()
    shared = queue(shared=True, agents=[alice])
    for _ in range(5):
        InteractionFactory(assigned_to=alice)
    counts = []
    for extra in (0, 45):
        for _ in range(extra):
            Interaction.objects.filter(pk=InteractionFactory().pk).update(queue=shared.key)
        with django_assert_max_num_queries(6) as captured:
            assert len(listed_ids(alice)) == 5 + extra
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
