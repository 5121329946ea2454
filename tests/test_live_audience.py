"""Live pushes reach only those allowed to see them: per-user, per-queue and supervisors' groups, checked when a
socket subscribes and when each push is delivered, on real Redis and, end to end, through the live server."""

import asyncio
import json
import time

import pytest
from channels.db import database_sync_to_async

from interactions import live_connections
from interactions.live import agent_typing, audience_changed_on_commit, broadcast_on_commit, publish_on_commit
from interactions.models import Interaction, LinkPreview
from interactions.services.link_previews import fetch_and_store_link_preview, link_preview_for_message
from interactions.tests.test_workspace_socket import in_own_event_loop
from routing.models import Queue, WorkItem, WorkItemState
from routing.services.assignment import reassign_interaction, release_offers_of
from tests.factories import ChannelUserFactory, InteractionFactory, agent, manager
from tests.test_conversation import next_pushed, workspace_socket
from tests.test_live_fanout import signed_in_socket

pytestmark = pytest.mark.django_db(transaction=True)


async def pushed_events(socket, count: int = 0) -> list[dict]:
    """The next `count` events pushed to an in-process socket, and any that come with them. The fan-out writes an
    event to all the sockets it reaches in one pass, so once one socket has it, another that was to hear it has."""
    events = []
    while len(events) < count:
        events.extend(await socket.receive_json_from(timeout=10))
    while not await socket.receive_nothing(timeout=0.3):
        events.extend(await socket.receive_json_from(timeout=5))
    return events


def test_an_agents_socket_hears_their_own_conversations_and_never_a_colleagues():
    alice, bob, boss = agent(), agent(), manager()
    hers, his = InteractionFactory(assigned_to=alice), InteractionFactory(assigned_to=bob)

    async def exchange() -> dict[str, list[dict]]:
        sockets = {"alice": await signed_in_socket(alice), "bob": await signed_in_socket(bob)}
        sockets["boss"] = await signed_in_socket(boss)
        await database_sync_to_async(
            lambda: [broadcast_on_commit(agent_typing(interaction_id=i.pk, agent=boss)) for i in (his, hers)]
        )()
        heard = {
            name: await pushed_events(sockets[name], count) for name, count in (("alice", 1), ("bob", 1), ("boss", 2))
        }
        for socket in sockets.values():
            await socket.disconnect()
        return heard

    heard = in_own_event_loop(exchange)

    assert [event["interaction_id"] for event in heard["alice"]] == [hers.pk]
    assert [event["interaction_id"] for event in heard["bob"]] == [his.pk]
    assert [event["interaction_id"] for event in heard["boss"]] == [his.pk, hers.pk]


def test_a_socket_in_several_of_an_events_groups_hears_it_once():
    alice = agent()
    shared = Queue.objects.create(key="billing", name="Billing", agents_see_each_others_conversations=True)
    shared.agents.add(alice)
    hers = InteractionFactory(assigned_to=alice, queue="billing")  # user.<alice>, queue.billing and supervisors

    async def exchange() -> list[dict]:
        socket = await signed_in_socket(alice)
        await database_sync_to_async(broadcast_on_commit)(agent_typing(interaction_id=hers.pk, agent=alice))
        await database_sync_to_async(publish_on_commit)(
            groups={f"user.{alice.pk}", "queue.billing"}, event={"type": "x"}
        )
        heard = await pushed_events(socket, 2)
        await socket.disconnect()
        return heard

    assert [event["type"] for event in in_own_event_loop(exchange)] == ["agent.typing", "x"]


def test_joining_a_shared_queue_takes_effect_on_open_sockets_once_announced():
    alice, bob = agent(), agent()
    shared = Queue.objects.create(key="billing", name="Billing", agents_see_each_others_conversations=True)
    shared.agents.add(bob)
    bobs = InteractionFactory(assigned_to=bob, queue="billing")

    def type_in_bobs() -> None:
        broadcast_on_commit(agent_typing(interaction_id=bobs.pk, agent=bob))

    async def exchange() -> tuple[list[dict], list[dict], list[dict]]:
        socket = await signed_in_socket(alice)
        await database_sync_to_async(type_in_bobs)()
        before = await pushed_events(socket)
        await database_sync_to_async(shared.agents.add)(alice)
        await database_sync_to_async(audience_changed_on_commit)(user_ids=[alice.pk])
        told = await pushed_events(socket, 1)
        await database_sync_to_async(type_in_bobs)()
        after = await pushed_events(socket, 1)
        await socket.disconnect()
        return before, told, after

    before, told, after = in_own_event_loop(exchange)

    assert before == []
    assert told == [{"type": "audience.changed"}]  # the workspace fetches its list again
    assert [event["interaction_id"] for event in after] == [bobs.pk]


def test_presence_to_supervisors_and_an_offer_to_one_agent_reach_only_them():
    alice, bob, boss = agent(), agent(), manager()

    async def exchange() -> dict[str, list[dict]]:
        sockets = {
            name: await signed_in_socket(user) for name, user in (("alice", alice), ("bob", bob), ("boss", boss))
        }
        await database_sync_to_async(publish_on_commit)(groups={"supervisors"}, event={"type": "presence.changed"})
        await database_sync_to_async(publish_on_commit)(groups={f"user.{bob.pk}"}, event={"type": "offer.changed"})
        heard = {
            name: await pushed_events(sockets[name], count) for name, count in (("bob", 1), ("boss", 1), ("alice", 0))
        }
        for socket in sockets.values():
            await socket.disconnect()
        return heard

    heard = in_own_event_loop(exchange)

    assert heard == {
        "alice": [],
        "bob": [{"type": "offer.changed"}],
        "boss": [{"type": "presence.changed"}],
    }


def test_connection_listeners_hear_each_socket_open_and_close_and_the_heartbeat_and_a_failing_one_harms_nothing(
    monkeypatch, settings
):
    settings.WORKSPACE_HEARTBEAT_SECONDS = 0.05
    heard = []

    def broken(**kwargs) -> None:
        raise RuntimeError("presence is down")

    monkeypatch.setattr(live_connections, "_listeners", [])
    live_connections.register_connection_listener(broken, broken, broken)
    live_connections.register_connection_listener(
        lambda *, user, connection_id, server: heard.append(("opened", user.pk, connection_id, server.name)),
        lambda *, user, connection_id: heard.append(("closed", user.pk, connection_id)),
        lambda *, server, connections, as_of: heard.append(("alive", server.name, connections)),
    )
    alice = agent()

    def heartbeats_naming(count: int) -> list[tuple]:
        return [entry for entry in heard if entry[0] == "alive" and len(entry[2]) == count]

    async def exchange() -> dict:
        first, second = await signed_in_socket(alice), await signed_in_socket(alice)
        await first.send_json_to({"type": "ping"})
        pong = await first.receive_json_from(timeout=5)
        for _ in range(200):  # until the process vouches for both, a few heartbeats
            if heartbeats_naming(2):
                break
            await asyncio.sleep(0.05)
        await first.disconnect()
        await second.disconnect()
        return pong

    assert in_own_event_loop(exchange) == {"type": "pong"}
    opened = [entry for entry in heard if entry[0] == "opened"]
    closed = [entry for entry in heard if entry[0] == "closed"]
    assert len(opened) == 2 and {entry[1] for entry in opened} == {alice.pk}
    assert {entry[2] for entry in closed} == {entry[2] for entry in opened}  # each connection told apart
    [(_, server, connections), *_] = heartbeats_naming(2)
    assert {entry[3] for entry in opened} == {server}  # one process, one name
    assert connections == {entry[2]: alice.pk for entry in opened}


def events_heard_within(socket, seconds: float) -> list[dict]:
    """Every event pushed to a live socket in the next `seconds`."""
    events, deadline = [], time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            data = json.loads(socket.recv(timeout=left))
        except TimeoutError:
            break
        events.extend(data if isinstance(data, list) else [data])
    return events


@pytest.mark.e2e
def test_a_customer_message_reaches_the_assigned_agent_and_managers_sockets_and_no_other_agents(live_system):
    alice, bob, boss = agent(), agent(), manager()
    hers = InteractionFactory(assigned_to=alice, channel_user=ChannelUserFactory())
    his = InteractionFactory(assigned_to=bob, channel_user=ChannelUserFactory())

    with (
        workspace_socket(live_system, alice) as alices,
        workspace_socket(live_system, bob) as bobs,
        workspace_socket(live_system, boss) as supervisors,
    ):
        for socket in (alices, bobs, supervisors):
            assert json.loads(socket.recv(timeout=10))["type"] == "hello"

        live_system.emulator.customer_sends(his.channel_user.external_id, "Where is my refund?")
        assert next_pushed(bobs, "message.changed")["interaction_id"] == his.pk
        live_system.emulator.customer_sends(hers.channel_user.external_id, "Can I change my address?")

        # Alice's first message event is her customer's, pushed after Bob's: his never reached her socket.
        for_alice = next_pushed(alices, "message.changed")
        assert (for_alice["interaction_id"], for_alice["message"]["text"]) == (hers.pk, "Can I change my address?")
        assert [next_pushed(supervisors, "message.changed")["interaction_id"] for _ in range(2)] == [his.pk, hers.pk]
        heard_by_bob = events_heard_within(bobs, 1.0)
        heard_by_alice = events_heard_within(alices, 0.2)

    assert hers.pk not in {event.get("interaction_id") for event in heard_by_bob}
    assert his.pk not in {event.get("interaction_id") for event in heard_by_alice}
    assert Interaction.objects.get(pk=hers.pk).messages.count() == 1


def test_typing_in_another_agents_conversation_is_refused_and_reaches_nobody():
    alice, bob = agent(), agent()
    his = InteractionFactory(assigned_to=bob)

    async def exchange() -> tuple[dict, list[dict]]:
        alices, bobs = await signed_in_socket(alice), await signed_in_socket(bob)
        await alices.send_json_to({"type": "typing", "interaction_id": his.pk})
        refusal = await alices.receive_json_from(timeout=5)
        heard = await pushed_events(bobs)
        await alices.disconnect()
        await bobs.disconnect()
        return refusal, heard

    refusal, heard_by_bob = in_own_event_loop(exchange)

    assert refusal == {"type": "error", "detail": "you cannot type in that interaction"}
    assert heard_by_bob == []


def test_a_link_previews_push_goes_only_to_those_who_see_a_message_that_asked_for_it(live_worker_paused):
    """The fetch runs here, in-process: a live worker left running by an earlier test must not race it for the
    preview."""
    alice, bob = agent(), agent()
    hers = InteractionFactory(assigned_to=alice)
    message = hers.messages.create(
        sequence=1,
        revision=1,
        direction="inbound",
        status="received",
        text="Is it this? http://127.0.0.1/chair",
        sent_at=hers.opened_at,
    )

    async def exchange() -> dict[str, list[dict]]:
        sockets = {"alice": await signed_in_socket(alice), "bob": await signed_in_socket(bob)}
        preview = await database_sync_to_async(link_preview_for_message)(message=message)  # alice's workspace asks
        await database_sync_to_async(fetch_and_store_link_preview)(preview_id=preview.pk)  # refused: our own network
        heard = {name: await pushed_events(sockets[name], count) for name, count in (("alice", 1), ("bob", 0))}
        for socket in sockets.values():
            await socket.disconnect()
        return heard

    heard = in_own_event_loop(exchange)

    assert [(event["type"], event["preview"]["state"]) for event in heard["alice"]] == [
        ("link_preview.changed", "failed")
    ]
    assert heard["bob"] == []
    assert LinkPreview.objects.get().state == "failed"


def test_an_agent_a_conversation_is_taken_from_is_told_to_read_their_list_again_and_its_new_agent_hears_it():
    alice, bob, boss = agent(), agent(), manager()
    Queue.objects.create(key="general", name="General", is_default=True)
    hers = InteractionFactory(assigned_to=alice, queue="general")

    async def exchange() -> tuple[list[dict], list[dict]]:
        sockets = {"alice": await signed_in_socket(alice), "bob": await signed_in_socket(bob)}
        await database_sync_to_async(reassign_interaction)(interaction=hers, to_agent=bob, by=boss)
        heard = (await pushed_events(sockets["alice"], 1), await pushed_events(sockets["bob"], 1))
        for socket in sockets.values():
            await socket.disconnect()
        return heard

    alice_heard, bob_heard = in_own_event_loop(exchange)

    # Their loads moved too (`presence.changed`, routing/tests/test_lifecycle_reactions.py): not this test's subject.
    alice_heard, bob_heard = (
        [event for event in heard if event["type"] != "presence.changed"] for heard in (alice_heard, bob_heard)
    )
    assert alice_heard == [{"type": "audience.changed"}]  # her workspace drops it from the list it reads again
    assert [(event["type"], event["interaction"]["assigned_to_id"]) for event in bob_heard] == [
        ("interaction.changed", bob.pk)
    ]


def test_an_agent_whose_offer_ends_is_told_to_read_their_list_again():
    alice = agent()
    queue = Queue.objects.create(key="general", name="General", is_default=True)
    waiting = InteractionFactory(queue="general")
    WorkItem.objects.create(
        interaction=waiting, queue=queue, priority=queue.priority, state=WorkItemState.OFFERED, offered_to=alice
    )

    async def exchange() -> list[dict]:
        socket = await signed_in_socket(alice)
        await database_sync_to_async(release_offers_of)(alice)  # she went away: the offer goes back to the queue
        heard = await pushed_events(socket, 2)
        await socket.disconnect()
        return heard

    heard = in_own_event_loop(exchange)

    assert [(event["type"], event.get("state")) for event in heard] == [
        ("offer.changed", "withdrawn"),
        ("audience.changed", None),  # the conversation she saw only as an offer leaves her list
    ]
