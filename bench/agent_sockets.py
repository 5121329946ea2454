"""What the live-workspace benchmarks share: signed-in agents, their workspace sockets, a webhook poster.

The clients live in one asyncio process. A pushed frame is one event (an object) or, once the server coalesces,
a list of events; `events_in` reads both, so the same benchmark measures the code before and after.
"""

import asyncio
import json
import time
from collections.abc import Callable, Iterable

from harness import SIGNATURE_HEADER, Stack, sign_in_agents, signature
from websockets.asyncio.client import ClientConnection, connect


def signed_in_agents(stack: Stack, count: int) -> list[str]:
    """`count` signed-in agents' session cookies."""
    return [agent.cookie for agent in sign_in_agents(stack, count)]


def events_in(frame: str | bytes) -> list[dict]:
    """The events of one pushed frame: a single event, or a list of them."""
    data = json.loads(frame)
    return data if isinstance(data, list) else [data]


async def open_workspace_sockets(
    base_url: str, cookies: Iterable[str], *, at_once: int = 50, compression: str | None = "deflate"
) -> list[ClientConnection]:
    """One signed-in workspace socket per cookie, each past its `hello`; `at_once` handshakes in flight.

    Compression is offered as browsers offer it (permessage-deflate); the server decides whether to use it.
    """
    limit = asyncio.Semaphore(at_once)
    url = base_url.replace("http://", "ws://") + "/ws/workspace/"

    async def one(cookie: str) -> ClientConnection:
        async with limit:
            socket = await connect(
                url,
                additional_headers={"Cookie": cookie, "Origin": base_url},
                open_timeout=120,
                max_size=None,
                ping_interval=None,  # the browser sends no WebSocket pings either; the server's keep the line up
                compression=compression,
            )
            hello = json.loads(await asyncio.wait_for(socket.recv(), 60))
            if hello.get("type") != "hello":
                raise RuntimeError(f"expected hello, got {hello}")
            return socket

    return list(await asyncio.gather(*(one(cookie) for cookie in cookies)))


class WebhookPoster:
    """Signed webhook POSTs over keep-alive HTTP/1.1 connections, a new one whenever all are busy, up to
    `max_connections` (as Meta's senders are bounded too). A bare client: a fraction of a library's CPU, which the
    load generator shares the two cores with."""

    def __init__(self, base_url: str, *, max_connections: int = 64) -> None:
        host_port = base_url.removeprefix("http://")
        self.host, port = host_port.split(":")
        self.port = int(port)
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.slots = asyncio.Semaphore(max_connections)  # past it a send waits, and the wait counts as latency
        self.open_connections = 0
        self.statuses: dict[int, int] = {}

    async def post(self, body: bytes) -> int:
        async with self.slots:
            return await self._post(body)

    async def _post(self, body: bytes) -> int:
        head = (
            f"POST /webhooks/whatsapp/ HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Type: application/json\r\n"
            f"{SIGNATURE_HEADER}: {signature(body)}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        if self.idle:
            reader, writer = self.idle.pop()
        else:
            self.open_connections += 1
            reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(head + body)
            status_line = await reader.readline()
            status = int(status_line.split()[1])
            length, keep_alive, chunked = 0, True, False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "connection" and value.strip().lower() == "close":
                    keep_alive = False
                elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
                    chunked = True  # a server that streams its answer (no Content-Length)
            if chunked:
                while size := int((await reader.readline()).split(b";")[0], 16):
                    await reader.readexactly(size + 2)  # the chunk and its CRLF
                await reader.readline()  # the CRLF after the last, empty chunk (no trailers are sent)
            else:
                await reader.readexactly(length)
        except (OSError, IndexError, ValueError, asyncio.IncompleteReadError):
            writer.close()
            self.open_connections -= 1
            status = 0
        else:
            if keep_alive:
                self.idle.append((reader, writer))
            else:
                writer.close()
                self.open_connections -= 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        return status

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


async def at_constant_rate(rate: float, count: int, send: Callable[[int], object]) -> float:
    """Starts `send(index)` for index 0..count-1 at `rate` per second on a fixed schedule, never waiting for an
    answer (wrk2-style, so a slow server shows up as latency, not as a lower offered rate). Returns the seconds
    the schedule took; pending sends are awaited."""
    started = time.monotonic()
    tasks = set()
    for index in range(count):
        due = started + index / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.ensure_future(send(index))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    elapsed = time.monotonic() - started
    if tasks:
        await asyncio.gather(*tasks)
    return elapsed
