"""The server side of the live push: one Redis subscription per server process, one frame per socket per moment.

Every workspace socket hears the same events, so a process subscribes to the workspace's Redis channel once (not
once per socket, as a channel-layer group costs), reads events that arrive within `coalesce_seconds` of the first,
joins their JSON text (encoded once, by the publisher) into one list and writes that same text to each of its
sockets: at 300 messages a second, a few tens of frames per socket instead of hundreds. The push stays a hint:
an event published while the subscription is down is lost, so once it is back every socket is told to catch up
(`live.resync`), as the browser does after any gap.
"""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

import redis.asyncio as redis
from django.conf import settings

from interactions.live import live_channel

logger = logging.getLogger(__name__)

Send = Callable[[dict], Awaitable[None]]  # a socket's ASGI send

# A quiet subscription pings Redis this often, so an idle read never hits a socket timeout and a Redis that went
# away is noticed; reconnecting backs off up to RECONNECT_MAX_SECONDS.
HEALTH_CHECK_SECONDS = 15
RECONNECT_MAX_SECONDS = 10
# How long a new socket waits for its process's first subscription before saying hello anyway (its catch-up then
# comes with `live.resync`).
JOIN_WAIT_SECONDS = 2
# A send that waits longer is to a client that stopped reading (its server's write buffer is full; uvicorn then
# waits, daphne buffers): it must not hold up the other sockets' frames.
SEND_PATIENCE_SECONDS = 0.2
RESYNC = json.dumps({"type": "live.resync"})


class Fanout:
    """One group's sockets in this process, and the subscription that feeds them while any is open."""

    def __init__(self, group: str) -> None:
        self.group = group
        self.sockets: set[Send] = set()
        self.subscribed = asyncio.Event()
        self.missed = False  # events may have been lost while no subscription was up: sockets must catch up
        self.joining = 0
        self.lagging: dict[Send, asyncio.Task] = {}
        self.task: asyncio.Task | None = None

    async def join(self, send: Send) -> None:
        """Adds an accepted socket once events published from now on reach it (or after a short wait, with a
        `live.resync` to come). Nothing is written to it before this returns, so the caller's next frame is first."""
        self.joining += 1
        try:
            if self.task is None or self.task.done():
                self.subscribed.clear()
                self.task = asyncio.create_task(self._subscribe())
            try:
                await asyncio.wait_for(self.subscribed.wait(), JOIN_WAIT_SECONDS)
            except TimeoutError:
                if not self.subscribed.is_set():
                    self.missed = True
        finally:
            self.joining -= 1
        self.sockets.add(send)

    def leave(self, send: Send) -> None:
        self.sockets.discard(send)
        if send in self.lagging:
            self.lagging.pop(send).cancel()
        if self.idle and self.task is not None:
            self.task.cancel()
            self.task = None

    @property
    def idle(self) -> bool:
        return not self.sockets and not self.joining and not self.lagging

    async def _subscribe(self) -> None:
        delay = 0.5
        while True:
            client = redis.Redis.from_url(
                settings.LIVE_UPDATES["redis_url"],
                socket_connect_timeout=5,
                socket_keepalive=True,
                health_check_interval=HEALTH_CHECK_SECONDS,
            )
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(live_channel(self.group))
                self.subscribed.set()
                delay = 0.5
                if self.missed:
                    self.missed = False
                    await self._deliver([RESYNC])
                await self._relay(pubsub)
            except Exception as problem:  # Redis gone, or anything else: never leave the sockets unfed
                # Once per outage: when a working subscription breaks, or the first try fails.
                log = logger.warning if self.subscribed.is_set() or delay == 0.5 else logger.debug
                log("live updates for %s unavailable, retrying in %s s: %r", self.group, delay, problem)
                self.subscribed.clear()
                self.missed = True
            finally:
                await pubsub.aclose()
                await client.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_SECONDS)

    async def _relay(self, pubsub) -> None:
        """Reads events forever; those within the coalescing window of the first go out as one frame."""
        loop = asyncio.get_running_loop()
        window = settings.LIVE_UPDATES["coalesce_seconds"]
        while True:
            message = await pubsub.get_message(timeout=HEALTH_CHECK_SECONDS)
            if message is None or message["type"] != "message":
                continue
            events = [message["data"].decode()]
            deadline = loop.time() + window
            while (left := deadline - loop.time()) > 0:
                message = await pubsub.get_message(timeout=left)
                if message is not None and message["type"] == "message":
                    events.append(message["data"].decode())
            await self._deliver(events)

    async def _deliver(self, events: list[str]) -> None:
        frame = {"type": "websocket.send", "text": f"[{','.join(events)}]"}  # the same text for every socket
        for send in list(self.sockets):
            try:
                async with asyncio.timeout(SEND_PATIENCE_SECONDS):
                    await send(frame)
            except TimeoutError:
                self.sockets.discard(send)
                self.lagging[send] = asyncio.create_task(self._readmit(send))
            except Exception as problem:  # a socket closing as we write: its disconnect removes it
                logger.debug("live frame not written to a closing socket: %r", problem)

    async def _readmit(self, send: Send) -> None:
        """A lagging socket misses frames until its client reads again; its next frame tells it to catch up."""
        try:
            await send({"type": "websocket.send", "text": f"[{RESYNC}]"})
        except Exception as problem:
            self.lagging.pop(send, None)
            logger.debug("lagging socket closed: %r", problem)
            return
        if self.lagging.pop(send, None) is not None:  # else it left meanwhile
            self.sockets.add(send)


_fanouts: dict[tuple[asyncio.AbstractEventLoop, str], Fanout] = {}


async def join(group: str, send: Send) -> None:
    """Subscribes an accepted socket of this process (this event loop) to `group`."""
    key = (asyncio.get_running_loop(), group)
    fanout = _fanouts.get(key) or _fanouts.setdefault(key, Fanout(group))
    await fanout.join(send)


def leave(group: str, send: Send) -> None:
    key = (asyncio.get_running_loop(), group)
    fanout = _fanouts.get(key)
    if fanout is not None:
        fanout.leave(send)
        if fanout.idle:
            del _fanouts[key]
