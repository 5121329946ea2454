"""Agent WebSocket clients that behave as the workspace does (static/workspace/store.js), every timeline open.

A push is a hint: a message applies only if newer than what the client holds; a gap in the interaction's revisions,
an `interaction.changed` ahead of the cursor or a (re)connect's `hello` makes it catch up over HTTP
(`messages/?after_revision=`). What each client shows is recorded, so the checks can find a status that went
backwards on the agent's screen and compare each client's final set of message ids with the database.
"""

import asyncio
import json
import random
import threading
import time
from dataclasses import dataclass, field

import requests
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

from bench.harness import Agent

# The order a message's status may only move in (interactions.policies); inbound messages stay `received`.
STATUS_RANK = {"queued": 0, "sent": 1, "failed": 2, "delivered": 3, "read": 4}
RECONNECT_BASE_SECONDS, RECONNECT_MAX_SECONDS = 1.0, 15.0
# A gap is given this long to fill from pushes still on their way (two workers' pushes overtake each other, and an
# interaction's change may come before its message's) before it is fetched.
GAP_GRACE_SECONDS = 0.5


@dataclass
class Timeline:
    cursor: int = 0
    wanted: int = 0  # the newest revision known to exist
    loaded: bool = False
    messages: dict[int, tuple[int, str]] = field(default_factory=dict)  # id -> (revision, status)


@dataclass
class Watcher:
    name: str
    web_url: str
    session_key: str
    token: str
    timelines: dict[int, Timeline] = field(default_factory=dict)
    due: dict[int, float] = field(default_factory=dict)  # interaction -> when to catch it up if still behind
    refresh_list: bool = True
    fetching: int | None = None
    regressions: list[str] = field(default_factory=list)
    connects: int = 0
    frames: int = 0
    catch_ups: int = 0
    failed_fetches: int = 0

    # --- what a push or an answer does to what the agent sees

    def apply(self, timeline: Timeline, messages: list[dict]) -> None:
        for message in messages:
            held = timeline.messages.get(message["id"])
            if held and held[0] >= message["revision"]:
                continue
            if held and STATUS_RANK.get(message["status"], -1) < STATUS_RANK.get(held[1], -1):
                self.regressions.append(f"message {message['id']}: {held[1]} -> {message['status']}")
            timeline.messages[message["id"]] = (message["revision"], message["status"])

    def want(self, interaction_id: int, revision: int, *, delay: float = GAP_GRACE_SECONDS) -> None:
        timeline = self.timelines.setdefault(interaction_id, Timeline())
        timeline.wanted = max(timeline.wanted, revision)
        if timeline.wanted > timeline.cursor or not timeline.loaded:
            due = time.monotonic() + delay
            self.due[interaction_id] = min(self.due.get(interaction_id, due), due)

    def receive(self, data: dict) -> None:
        self.frames += 1
        kind = data.get("type")
        if kind in ("hello", "live.resync"):  # resync: the server's subscription was interrupted
            self.refresh_list = True
            for interaction_id in self.timelines:  # the list, read first, says which are behind
                self.due[interaction_id] = time.monotonic()
        elif kind == "interaction.changed":
            self.want(data["interaction"]["id"], data["interaction"]["revision"])
        elif kind == "message.changed":
            timeline = self.timelines.setdefault(data["interaction_id"], Timeline())
            if data["revision"] <= timeline.cursor:
                return
            self.apply(timeline, [data["message"]])
            if timeline.loaded and self.fetching != data["interaction_id"] and data["revision"] == timeline.cursor + 1:
                timeline.cursor = data["revision"]
                timeline.wanted = max(timeline.wanted, data["revision"])
            else:
                self.want(data["interaction_id"], data["revision"])

    # --- the HTTP side

    async def _get(self, session: requests.Session, url: str) -> dict:
        """The request on a thread; its answer is applied back on the loop, where the pushes are applied."""

        def get() -> dict:
            answer = session.get(url, headers={"Authorization": f"Token {self.token}"}, timeout=30)
            answer.raise_for_status()
            return answer.json()

        return await asyncio.to_thread(get)

    async def read_list(self, session: requests.Session) -> None:
        url = f"{self.web_url}/api/v1/interactions/?limit=200"
        while url:
            page = await self._get(session, url)
            for interaction in page["results"]:
                self.want(interaction["id"], interaction["revision"], delay=0)
            url = page["next"]
        self.refresh_list = False

    async def catch_up(self, session: requests.Session, interaction_id: int) -> None:
        timeline = self.timelines.setdefault(interaction_id, Timeline())
        self.fetching = interaction_id
        try:
            while True:
                base = f"{self.web_url}/api/v1/interactions/{interaction_id}/messages/"
                answer = await self._get(session, f"{base}?after_revision={timeline.cursor}")
                self.catch_ups += 1
                self.apply(timeline, answer["messages"])
                timeline.cursor = max(timeline.cursor, answer["revision"])
                timeline.loaded = True
                if not answer["more"]:
                    return
        finally:
            self.fetching = None

    async def catch_up_pending(self, session: requests.Session, *, everything: bool = False) -> None:
        """Every interaction whose gap is due (or all that are behind, `everything`), until none is left."""
        if self.refresh_list:
            await self.read_list(session)
        while True:
            now = time.monotonic()
            ready = [i for i, due in list(self.due.items()) if everything or due <= now]
            if not ready:
                return
            for interaction_id in ready:
                del self.due[interaction_id]
                timeline = self.timelines[interaction_id]
                if timeline.loaded and timeline.cursor >= timeline.wanted:
                    continue  # the pushes filled the gap
                try:
                    await self.catch_up(session, interaction_id)
                except Exception:
                    self.due[interaction_id] = time.monotonic()
                    raise

    def message_ids(self) -> set[int]:
        return {message_id for timeline in self.timelines.values() for message_id in timeline.messages}


class Watchers:
    """Runs the clients on one asyncio loop in a thread of its own until `stop`, then catches each one up."""

    def __init__(self, *, web_url: str, agents: list[Agent]) -> None:
        self.web_url = web_url
        self.clients = [
            Watcher(name=f"watcher-{n}", web_url=web_url, session_key=agent.session, token=agent.token)
            for n, agent in enumerate(agents)
        ]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), name="watchers", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def final_catch_up(self, *, timeout: float = 300) -> None:
        """What a reconnect or a visible tab does: reread the list and catch every timeline up, until it works."""
        deadline = time.monotonic() + timeout
        for client in self.clients:
            session = requests.Session()
            client.refresh_list = True
            for timeline in client.timelines.values():
                timeline.loaded = False  # catch every timeline up once more, whatever the pushes said
            client.due = dict.fromkeys(client.timelines, 0.0)
            while True:
                try:
                    asyncio.run(client.catch_up_pending(session, everything=True))
                    break
                except Exception:
                    client.failed_fetches += 1
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(1)

    async def _main(self) -> None:
        await asyncio.gather(*(self._run(client) for client in self.clients))

    async def _run(self, client: Watcher) -> None:
        catching = asyncio.create_task(self._catch_up_loop(client))
        host = self.web_url.split("://", 1)[1]
        attempts = 0
        while not self._stop.is_set():
            try:
                async with connect(
                    f"ws://{host}/ws/workspace/",
                    additional_headers={"Cookie": f"sessionid={client.session_key}"},
                    origin=self.web_url,
                    open_timeout=10,
                    ping_interval=20,
                    ping_timeout=20,
                    max_size=None,
                ) as socket:
                    client.connects += 1
                    attempts = 0
                    while not self._stop.is_set():
                        try:
                            raw = await asyncio.wait_for(socket.recv(), timeout=1)
                        except TimeoutError:
                            continue
                        data = json.loads(raw)  # pushes come as a list of events
                        for event in data if isinstance(data, list) else [data]:
                            client.receive(event)
            except (OSError, TimeoutError, WebSocketException):
                pass
            ceiling = min(RECONNECT_MAX_SECONDS, RECONNECT_BASE_SECONDS * 2**attempts)
            attempts += 1
            await asyncio.sleep(ceiling / 2 + random.random() * ceiling / 2)
        await catching

    async def _catch_up_loop(self, client: Watcher) -> None:
        session = requests.Session()
        failures = 0
        while not self._stop.is_set():
            try:
                await client.catch_up_pending(session)
                failures = 0
                await asyncio.sleep(0.1)
            except Exception:
                client.failed_fetches += 1
                failures += 1
                await asyncio.sleep(min(15, 0.5 * 2**failures))
