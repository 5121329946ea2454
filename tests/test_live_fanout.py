"""The live push on real Redis: published once, heard once per server process, written as one frame per moment."""

import asyncio
import socket as sockets
import time

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import override_settings

from config.backing_services import live_updates_settings
from config.embedded_redis import start_embedded_redis, stop_embedded_redis
from interactions.consumers import WorkspaceConsumer
from interactions.live import agent_typing, broadcast_on_commit
from interactions.tests.test_workspace_socket import in_own_event_loop
from tests.factories import InteractionFactory, agent

pytestmark = pytest.mark.django_db(transaction=True)


async def signed_in_socket(user) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(WorkspaceConsumer.as_asgi(), "/ws/workspace/")
    socket.scope["user"] = user
    connected, _ = await socket.connect(timeout=10)
    assert connected
    assert await socket.receive_json_from(timeout=10) == {"type": "hello"}
    return socket


def typing_of(person, interaction_id: int) -> dict:
    return agent_typing(interaction_id=interaction_id, agent=person)


def conversations_of(person, count: int) -> list[int]:
    """Interactions the person may see (theirs), for pushes that reach their sockets."""
    return [InteractionFactory(assigned_to=person).pk for _ in range(count)]


def test_events_published_together_reach_every_socket_as_one_frame_in_order():
    person = agent(first_name="Tara")
    ids = conversations_of(person, 3)

    async def exchange() -> list[list]:
        first, second = await signed_in_socket(person), await signed_in_socket(person)
        # Outside a transaction the pushes are published at once, together: one message (their audience read once).
        await database_sync_to_async(lambda: broadcast_on_commit(*[typing_of(person, number) for number in ids]))()
        frames = [await socket.receive_json_from(timeout=5) for socket in (first, second)]
        for socket in (first, second):
            assert await socket.receive_nothing(timeout=0.3)
            await socket.disconnect()
        return frames

    frames = in_own_event_loop(exchange)

    for frame in frames:
        assert [event["interaction_id"] for event in frame] == ids
        assert {event["type"] for event in frame} == {"agent.typing"}


def test_pushes_further_apart_than_the_window_come_as_separate_frames():
    person = agent()
    ids = conversations_of(person, 2)

    async def exchange() -> list:
        socket = await signed_in_socket(person)
        frames = []
        for number in ids:
            await database_sync_to_async(broadcast_on_commit)(typing_of(person, number))
            frames.append(await socket.receive_json_from(timeout=5))
            await asyncio.sleep(settings.LIVE_UPDATES["coalesce_seconds"] * 4)
        await socket.disconnect()
        return frames

    frames = in_own_event_loop(exchange)

    assert [[event["interaction_id"] for event in frame] for frame in frames] == [[ids[0]], [ids[1]]]


def test_a_socket_opened_while_redis_is_down_stays_open_and_is_told_to_catch_up_once_it_is_back(tmp_path):
    """Pushes lost while the process had no subscription are the browser's to fetch: it hears `live.resync`."""
    with sockets.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    person = agent()

    async def exchange() -> tuple[dict, list]:
        socket = await signed_in_socket(person)  # hello after a bounded wait, although nothing answers
        await socket.send_json_to({"type": "ping"})
        pong = await socket.receive_json_from(timeout=5)
        redis = await asyncio.to_thread(
            start_embedded_redis, port=port, log_file=tmp_path / "redis.log", port_variable="TEST_PORT"
        )
        try:
            resync = await socket.receive_json_from(timeout=20)  # the subscription retries with backoff
        finally:
            await socket.disconnect()
            stop_embedded_redis(redis)
        return pong, resync

    with override_settings(LIVE_UPDATES={**settings.LIVE_UPDATES, "redis_url": f"redis://127.0.0.1:{port}/0"}):
        started = time.monotonic()
        pong, resync = in_own_event_loop(exchange)

    assert pong == {"type": "pong"}
    assert resync == [{"type": "live.resync"}]
    assert time.monotonic() - started < 30


def test_the_channel_names_carry_the_redis_database_and_the_prefix():
    """Pub/sub ignores the database number: two deployments on one Redis server must not hear each other."""
    assert live_updates_settings(redis_url="redis://127.0.0.1:6379/3", prefix="p:")["prefix"] == "p:db3:"
    assert live_updates_settings(redis_url="redis://127.0.0.1:6379")["prefix"] == "db0:"
