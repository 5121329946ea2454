"""Who has the workspace open: listeners hear each workspace connection open and close (routing keeps agents'
presence from it: an agent whose every connection has been gone longer than a grace period goes offline).

A closing never comes from a server process that was killed (kill -9, out of memory): its sockets just vanish. So
each process names itself (`LiveServer`) and, while it holds workspace connections, vouches for them every
`WORKSPACE_HEARTBEAT_SECONDS`: the listeners hear which connections it holds and until when to count on it. A
listener discards the connections of a server whose time ran out; a heartbeat that finds its connections discarded
(the database was away for a while) or one whose closing was lost makes the record right again.

A listener runs in the socket's database thread and is only a hint: one that fails is logged and never fails the
socket or the listeners after it. `connection_id` tells one tab's connection from another's.
"""

import asyncio
import os
import secrets
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from interactions.hints import only_a_hint

# A server that has not vouched for its connections for this many heartbeats is taken for dead.
HEARTBEATS_BEFORE_LOST = 3

# on_opened(user=…, connection_id=…, server=…), on_closed(user=…, connection_id=…)
ConnectionListener = Callable[..., None]
# on_alive(server=…, connections=…, as_of=…): every connection the server held at `as_of`, by id, with its user's id.
HeartbeatListener = Callable[..., None]


@dataclass(frozen=True, slots=True)
class LiveServer:
    """A web server process holding workspace connections, and until when it vouches for them."""

    name: str
    alive_until: datetime


@dataclass(frozen=True, slots=True)
class _ConnectionListeners:
    on_opened: ConnectionListener
    on_closed: ConnectionListener
    on_alive: HeartbeatListener


_listeners: list[_ConnectionListeners] = []


def register_connection_listener(
    on_opened: ConnectionListener, on_closed: ConnectionListener, on_alive: HeartbeatListener
) -> None:
    """At start-up (`AppConfig.ready`); registering the same listeners again changes nothing."""
    listeners = _ConnectionListeners(on_opened=on_opened, on_closed=on_closed, on_alive=on_alive)
    if listeners not in _listeners:
        _listeners.append(listeners)


_server_name: tuple[int, str] | None = None  # (pid, name): a forked child names itself afresh


def this_server(*, now: datetime | None = None) -> LiveServer:
    """This process, vouching for its connections for the next few heartbeats."""
    global _server_name
    if _server_name is None or _server_name[0] != os.getpid():
        _server_name = (os.getpid(), f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}")
    heartbeat = timedelta(seconds=settings.WORKSPACE_HEARTBEAT_SECONDS)
    return LiveServer(name=_server_name[1], alive_until=(now or timezone.now()) + HEARTBEATS_BEFORE_LOST * heartbeat)


def connection_opened(*, user: AbstractBaseUser, connection_id: str) -> None:
    server = this_server()
    for listeners in list(_listeners):
        with only_a_hint(f"connection listener {listeners.on_opened.__qualname__} on opening"):
            listeners.on_opened(user=user, connection_id=connection_id, server=server)


def connection_closed(*, user: AbstractBaseUser, connection_id: str) -> None:
    for listeners in list(_listeners):
        with only_a_hint(f"connection listener {listeners.on_closed.__qualname__} on closing"):
            listeners.on_closed(user=user, connection_id=connection_id)


def server_alive(connections: Mapping[str, int], *, as_of: datetime) -> None:
    """This process held these connections (by id, with their users' ids) at `as_of`: a heartbeat. One opened
    since is not among them, and is no listener's to close."""
    server = this_server()
    for listeners in list(_listeners):
        with only_a_hint(f"connection listener {listeners.on_alive.__qualname__} on a heartbeat"):
            listeners.on_alive(server=server, connections=dict(connections), as_of=as_of)


class _Heartbeat:
    """The connections of one event loop (a server process), and the task that vouches for them while any is open."""

    def __init__(self) -> None:
        self.connections: dict[str, int] = {}
        self.task: asyncio.Task | None = None

    def add(self, connection_id: str, user_id: int) -> None:
        self.connections[connection_id] = user_id
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._beat())

    def remove(self, connection_id: str) -> None:
        self.connections.pop(connection_id, None)
        if not self.connections and self.task is not None:
            self.task.cancel()
            self.task = None

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(settings.WORKSPACE_HEARTBEAT_SECONDS)
            as_of = timezone.now()
            # Never ends the loop: a heartbeat missed (the database away) is made good by the next one.
            with only_a_hint("a workspace heartbeat"):
                await database_sync_to_async(server_alive)(dict(self.connections), as_of=as_of)


_heartbeats: dict[asyncio.AbstractEventLoop, _Heartbeat] = {}


def keep_vouching_for(connection_id: str, user_id: int) -> None:
    """From the socket's connect, before its opening is recorded: its process's heartbeat names it from now on."""
    loop = asyncio.get_running_loop()
    heartbeat = _heartbeats.get(loop) or _heartbeats.setdefault(loop, _Heartbeat())
    heartbeat.add(connection_id, user_id)


def stop_vouching_for(connection_id: str) -> None:
    """From the socket's disconnect, before its closing is recorded."""
    loop = asyncio.get_running_loop()
    heartbeat = _heartbeats.get(loop)
    if heartbeat is not None:
        heartbeat.remove(connection_id)
        if not heartbeat.connections:
            del _heartbeats[loop]
