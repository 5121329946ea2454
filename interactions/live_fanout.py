"""The server side of the live push: one Redis subscription per server process, one frame per socket per moment.

Every event comes on one Redis channel, headed by the live groups allowed to see it (`interactions.live`); events
published together (one call, or one `published_together` block) come as one message. A process subscribes once
(not once per socket or group, as channel-layer groups cost), reads the events that arrive within `coalesce_seconds`
of the first, and writes to each socket, as one frame, the events of that moment addressed to one of its groups:
each event once, however many of its groups the socket is in, in the order published, its JSON text (encoded once,
by the publisher) joined as it came. Sockets that get the same events get the same text, joined once. The window
costs an event at most its length and saves frames, which are most of a web process's work under load: an agent's
presence and the offers that follow it often share one (a benchmark without the window had more frames and a worse
tail, `bench/README.md`). A socket's groups are worked out when it joins and again when an `audience.changed`
reaches it (a queue it serves changed) or its events may have been lost; delivery checks them for every event.

The push stays a hint: an event published while the subscription is down is lost, so once it is back every socket
is told to catch up (`live.resync`), as the browser does after any gap.
"""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass

import redis.asyncio as redis
from django.conf import settings

from interactions.live import AUDIENCE_CHANGED, live_channel, published_events

logger = logging.getLogger(__name__)

Send = Callable[[dict], Awaitable[None]]  # a socket's ASGI send
Regroup = Callable[[], Awaitable[None]]  # works the socket's groups out again and calls `regroup`

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
_AUDIENCE_CHANGED_START = json.dumps(AUDIENCE_CHANGED, separators=(",", ":"))[:-1]  # `type` comes first


@dataclass(frozen=True, slots=True)
class Event:
    groups: frozenset[str] | None  # None: every socket
    text: str

    @classmethod
    def read_all(cls, data: bytes) -> list["Event"]:
        return [cls(groups=groups, text=text) for groups, text in published_events(data)]

    @property
    def changes_audience(self) -> bool:
        return self.text.startswith(_AUDIENCE_CHANGED_START)


EVERY_SOCKET_RESYNC = Event(groups=None, text=RESYNC)


class Fanout:
    """This process's sockets, by group, and the one subscription that feeds them while any is open."""

    def __init__(self) -> None:
        self.groups: dict[Send, frozenset[str]] = {}
        self.members: dict[str, set[Send]] = {}
        self.regroupers: dict[Send, Regroup] = {}
        self.subscribed = asyncio.Event()
        self.missed = False  # events may have been lost while no subscription was up: sockets must catch up
        self.joining = 0
        self.lagging: dict[Send, asyncio.Task] = {}
        self.regrouping: set[asyncio.Task] = set()
        self.task: asyncio.Task | None = None

    async def join(self, send: Send, groups: Collection[str], regroup: Regroup) -> None:
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
        self.regroupers[send] = regroup
        self.regroup(send, groups)

    def regroup(self, send: Send, groups: Collection[str]) -> None:
        """The socket's groups, as worked out now; a socket that left meanwhile stays gone."""
        if send not in self.regroupers:
            return
        for group in self.groups.get(send, ()):
            self._forget_member(group, send)
        self.groups[send] = frozenset(groups)
        for group in self.groups[send]:
            self.members.setdefault(group, set()).add(send)

    def leave(self, send: Send) -> None:
        self.regroupers.pop(send, None)
        for group in self.groups.pop(send, ()):
            self._forget_member(group, send)
        if send in self.lagging:
            self.lagging.pop(send).cancel()
        if self.idle and self.task is not None:
            self.task.cancel()
            self.task = None

    def _forget_member(self, group: str, send: Send) -> None:
        members = self.members.get(group)
        if members is not None:
            members.discard(send)
            if not members:
                del self.members[group]

    @property
    def idle(self) -> bool:
        return not self.groups and not self.joining and not self.lagging

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
                await pubsub.subscribe(live_channel())
                self.subscribed.set()
                delay = 0.5
                if self.missed:
                    self.missed = False
                    self._regroup_all()  # a lost `audience.changed` among the lost events
                    await self._deliver([EVERY_SOCKET_RESYNC])
                await self._relay(pubsub)
            except Exception as problem:  # Redis gone, or anything else: never leave the sockets unfed
                # Once per outage: when a working subscription breaks, or the first try fails.
                log = logger.warning if self.subscribed.is_set() or delay == 0.5 else logger.debug
                log("live updates unavailable, retrying in %s s: %r", delay, problem)
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
            events = Event.read_all(message["data"])
            deadline = loop.time() + window
            while (left := deadline - loop.time()) > 0:
                message = await pubsub.get_message(timeout=left)
                if message is not None and message["type"] == "message":
                    events += Event.read_all(message["data"])
            await self._deliver(events)

    def _recipients(self, events: list[Event]) -> dict[Send, tuple[int, ...]]:
        """For each socket, the indexes of the events it may see, in order, each once."""
        chosen: dict[Send, list[int]] = {}
        for index, event in enumerate(events):
            if event.groups is None:
                targets: Collection[Send] = self.groups
            elif len(event.groups) == 1:
                targets = self.members.get(next(iter(event.groups)), ())
            else:
                targets = set().union(*(self.members.get(group, ()) for group in event.groups))
            for send in targets:
                chosen.setdefault(send, []).append(index)
                if event.changes_audience:
                    self._regroup_later(send)
        return {send: tuple(indexes) for send, indexes in chosen.items()}

    async def _deliver(self, events: list[Event]) -> None:
        frames: dict[tuple[int, ...], dict] = {}
        for send, indexes in self._recipients(events).items():
            if send in self.lagging:
                continue
            frame = frames.get(indexes)
            if frame is None:
                text = f"[{','.join(events[index].text for index in indexes)}]"
                frame = frames[indexes] = {"type": "websocket.send", "text": text}
            try:
                async with asyncio.timeout(SEND_PATIENCE_SECONDS):
                    await send(frame)
            except TimeoutError:
                self.lagging[send] = asyncio.create_task(self._readmit(send))
            except Exception as problem:  # a socket closing as we write: its disconnect removes it
                logger.debug("live frame not written to a closing socket: %r", problem)

    def _regroup_later(self, send: Send) -> None:
        regroup = self.regroupers.get(send)
        if regroup is not None:
            task = asyncio.create_task(regroup())
            self.regrouping.add(task)
            task.add_done_callback(self.regrouping.discard)

    def _regroup_all(self) -> None:
        for send in list(self.regroupers):
            self._regroup_later(send)

    async def _readmit(self, send: Send) -> None:
        """A lagging socket misses frames until its client reads again; its next frame tells it to catch up."""
        try:
            await send({"type": "websocket.send", "text": f"[{RESYNC}]"})
        except Exception as problem:
            self.lagging.pop(send, None)
            logger.debug("lagging socket closed: %r", problem)
            return
        if self.lagging.pop(send, None) is not None:  # else it left meanwhile
            self._regroup_later(send)  # an `audience.changed` may have been among the frames it missed


_fanouts: dict[asyncio.AbstractEventLoop, Fanout] = {}


async def join(send: Send, groups: Collection[str], regroup: Regroup) -> None:
    """Subscribes an accepted socket of this process (this event loop) to the events of `groups`; `regroup` is
    called when its groups may have changed."""
    loop = asyncio.get_running_loop()
    fanout = _fanouts.get(loop) or _fanouts.setdefault(loop, Fanout())
    await fanout.join(send, groups, regroup)


def regroup(send: Send, groups: Collection[str]) -> None:
    fanout = _fanouts.get(asyncio.get_running_loop())
    if fanout is not None:
        fanout.regroup(send, groups)


def leave(send: Send) -> None:
    loop = asyncio.get_running_loop()
    fanout = _fanouts.get(loop)
    if fanout is not None:
        fanout.leave(send)
        if fanout.idle:
            del _fanouts[loop]
