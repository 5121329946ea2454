"""The workspace socket answers a frame it cannot read with an error frame and stays open (real Redis layer)."""

import asyncio
import socket as sockets
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import override_settings

from interactions.consumers import WorkspaceConsumer
from tests.factories import InteractionFactory, agent

pytestmark = pytest.mark.django_db(transaction=True)


def _closed_redis() -> str:
    with sockets.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"redis://127.0.0.1:{probe.getsockname()[1]}/0"


def in_own_event_loop(exchange: Callable[[], Awaitable[Any]]) -> Any:
    """On a thread of its own: a browser test earlier in the run leaves Playwright's event loop on this one."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, exchange()).result()


UNREADABLE_FRAMES = [
    pytest.param({"text": "{not json"}, "not JSON", id="malformed-json"),
    pytest.param({"text": "hello"}, "not JSON", id="plain-text"),
    pytest.param({"text": ""}, "not JSON", id="empty-text"),
    pytest.param({"text": "[" * 100_000}, "not JSON", id="nested-too-deep"),
    pytest.param({"bytes": b"\x00\xff"}, "binary", id="binary"),
]


@pytest.mark.parametrize(("frame", "reason"), UNREADABLE_FRAMES)
def test_an_unreadable_frame_gets_an_error_frame_and_the_socket_stays_open(frame, reason):
    user = agent()

    async def exchange() -> tuple[dict, dict]:
        socket = WebsocketCommunicator(WorkspaceConsumer.as_asgi(), "/ws/workspace/")
        socket.scope["user"] = user
        connected, _ = await socket.connect()
        assert connected
        assert await socket.receive_json_from() == {"type": "hello"}
        await socket.send_input({"type": "websocket.receive", **frame})
        error = await socket.receive_json_from(timeout=5)
        await socket.send_json_to({"type": "ping"})
        pong = await socket.receive_json_from(timeout=5)  # still open: the next command is answered
        await socket.disconnect()
        return error, pong

    error, pong = in_own_event_loop(exchange)

    assert error["type"] == "error" and reason in error["detail"]
    assert pong == {"type": "pong"}


def test_typing_while_the_cache_is_unreachable_keeps_the_socket_open():
    """Typing is a hint: a cache outage must not close the agent's socket (the live layer is a separate Redis
    connection here, still up)."""
    user = agent()
    interaction = InteractionFactory(assigned_to=user)

    async def exchange() -> list[dict]:
        socket = WebsocketCommunicator(WorkspaceConsumer.as_asgi(), "/ws/workspace/")
        socket.scope["user"] = user
        await socket.connect()
        await socket.receive_json_from()
        with override_settings(CACHES={"default": {**settings.CACHES["default"], "LOCATION": _closed_redis()}}):
            await socket.send_json_to({"type": "typing", "interaction_id": interaction.pk})
            await socket.send_json_to({"type": "ping"})
            frames = [await socket.receive_json_from(timeout=5)]
            while frames[-1] != {"type": "pong"} and len(frames) < 5:  # an error frame, the typing push, the pong
                frames.append(await socket.receive_json_from(timeout=5))
        await socket.disconnect()
        return frames

    frames = in_own_event_loop(exchange)

    assert frames[-1] == {"type": "pong"}
