"""What the run drives: customers writing through the emulator, agents replying through the API, customers reading.

Every message carries a unique text (`fault-in-<n>`, `fault-reply-<n>`), so the checks can count each one in the
database and at the emulator whatever ids the system gave it.
"""

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import psycopg
import requests
from urllib3.exceptions import NewConnectionError

INBOUND_PREFIX = "fault-in-"
REPLY_PREFIX = "fault-reply-"


def customer_wa_id(index: int) -> str:
    return f"1555{index:07d}"


@dataclass
class Inbound:
    """Customers writing at a steady rate through the emulator's control API (which signs and delivers them)."""

    emulator_url: str
    messages: int
    customers: int
    rate: float
    wamids: dict[int, str] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def progress(self) -> float:
        return len(self.wamids) / self.messages if self.messages else 1.0

    def run(self) -> None:
        sessions = threading.local()
        started = time.monotonic()

        def send(index: int) -> None:
            session = getattr(sessions, "session", None) or requests.Session()
            sessions.session = session
            wa_id = customer_wa_id(index % self.customers)
            answer = session.post(
                f"{self.emulator_url}/_emulator/customers/{wa_id}/messages",
                json={"text": f"{INBOUND_PREFIX}{index}", "name": f"Fault customer {index % self.customers}"},
                timeout=30,
            )
            if answer.status_code == 200:
                self.wamids[index] = answer.json()["id"]
            else:
                self.refused.append(f"{answer.status_code} {answer.text[:200]}")

        with ThreadPoolExecutor(8) as pool:
            for index in range(self.messages):
                delay = started + index / self.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(send, index)
        self.done.set()


@dataclass
class Replies:
    """Agents replying through the API, a share of the inbound rate, to interactions picked from the database.

    A reply answered 5xx is posted again with the same Idempotency-Key, as the workspace does: the server may have
    committed it before failing, and the key makes the retry answer with it instead of sending it twice. One whose
    answer never came (the server died) is left as it is: whether it was taken is for the checks to find out.
    """

    web_url: str
    database_url: str
    tokens: list[str]
    rate: float
    to_read: set[str] = field(default_factory=set)  # customers with a reply they have not read yet
    accepted: dict[int, int] = field(default_factory=dict)  # reply number -> message id
    unanswered: list[int] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    retried_5xx: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        session = requests.Session()
        interactions: list[tuple[int, str]] = []
        refreshed = 0.0
        number = 0
        started = time.monotonic()
        while not self.stop.is_set():
            if time.monotonic() - refreshed > 5:
                interactions = _interaction_ids(self.database_url) or interactions
                refreshed = time.monotonic()
            if not interactions:
                time.sleep(0.5)
                continue
            delay = started + number / self.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            interaction_id, wa_id = random.choice(interactions)
            self._post(session, number, interaction_id)
            self.to_read.add(wa_id)
            number += 1

    def _post(self, session: requests.Session, number: int, interaction_id: int) -> None:
        token = random.choice(self.tokens)  # keys are each agent's own: a retry comes from the same agent
        for _ in range(30):
            if self.stop.is_set():
                return
            try:
                answer = session.post(
                    f"{self.web_url}/api/v1/interactions/{interaction_id}/messages/",
                    json={"text": f"{REPLY_PREFIX}{number}"},
                    headers={"Authorization": f"Token {token}", "Idempotency-Key": f"bench-reply-{number}"},
                    timeout=30,
                )
            except requests.ConnectionError as problem:
                if _never_connected(problem):
                    time.sleep(0.5)  # the server is down: nothing was sent, so posting again cannot double it
                    continue
                self.unanswered.append(number)
                return
            except requests.RequestException:
                self.unanswered.append(number)
                return
            if answer.status_code in (200, 201):  # 200: a retry answered with the reply its first post sent
                self.accepted[number] = answer.json()["id"]
                return
            if answer.status_code < 500:
                self.refused.append(f"{answer.status_code} {answer.text[:200]}")
                return
            self.retried_5xx += 1
            time.sleep(1)


@dataclass
class Readers:
    """Customers opening their chats a few seconds after a reply: every business message they hold turns `read`."""

    emulator_url: str
    replies: Replies
    every_seconds: float = 3.0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        session = requests.Session()
        while not self.stop.wait(self.every_seconds):
            waiting, self.replies.to_read = self.replies.to_read, set()
            self.read(session, waiting)

    def read(self, session: requests.Session, wa_ids: set[str]) -> None:
        for wa_id in wa_ids:
            session.post(f"{self.emulator_url}/_emulator/customers/{wa_id}/read", json={}, timeout=30)

    def read_everything(self, customers: int) -> None:
        """At the end: replies sent after the last pass are read too, so every message reaches `read`."""
        self.read(requests.Session(), {customer_wa_id(index) for index in range(customers)})


def _never_connected(problem: requests.ConnectionError) -> bool:
    reason = problem.args[0] if problem.args else None
    return isinstance(getattr(reason, "reason", None), NewConnectionError)


def _interaction_ids(database_url: str) -> list[tuple[int, str]]:
    try:
        with psycopg.connect(database_url, connect_timeout=2) as connection:
            return list(
                connection.execute(
                    "SELECT i.id, c.external_id FROM interactions_interaction i "
                    "JOIN interactions_channeluser c ON c.id = i.channel_user_id"
                )
            )
    except psycopg.Error:
        return []
