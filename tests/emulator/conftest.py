"""An emulator on a free port, and a tiny HTTP receiver standing in for the app's webhook endpoint."""

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from channels_whatsapp.emulator.client import EmulatorClient
from channels_whatsapp.emulator.config import BusinessNumber, EmulatorConfig
from channels_whatsapp.emulator.server import EmulatorServer

BUSINESS = BusinessNumber(
    phone_number_id="106540352242922",
    display_phone_number="+1 555 0100",
    waba_id="102290129340398",
    access_token="EAAtoken-of-the-desk",
    app_secret="app-secret-of-the-desk",
)
OTHER_BUSINESS = BusinessNumber(
    phone_number_id="206540352242922",
    display_phone_number="+1 555 0199",
    waba_id="202290129340398",
    access_token="EAAtoken-of-another-app",
    app_secret="another-app-secret",
)
CUSTOMER = "16505551234"


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    """One POST the app's webhook endpoint received, and what it answered."""

    headers: dict[str, str]
    body: bytes
    answered: int

    def json(self) -> dict:
        return json.loads(self.body)

    def value(self) -> dict:
        return self.json()["entry"][0]["changes"][0]["value"]


class WebhookReceiver:
    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self._answers: deque[int] = deque()
        self._condition = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._condition:
                    answer = receiver._answers.popleft() if receiver._answers else 200
                    receiver.deliveries.append(Delivery(headers=dict(self.headers), body=body, answered=answer))
                    receiver._condition.notify_all()
                self.send_response(answer)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/webhooks/whatsapp/"
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def answer_next(self, *status_codes: int) -> None:
        """The next deliveries get these answers; after them, 200."""
        with self._condition:
            self._answers.extend(status_codes)

    def wait_for(self, ready: Callable[[list[Delivery]], bool], *, timeout: float = 5) -> list[Delivery]:
        with self._condition:
            self._condition.wait_for(lambda: ready(self.deliveries), timeout=timeout)
            return list(self.deliveries)

    def status_objects(self, wamid: str) -> list[dict]:
        """The `statuses[]` items about one message, in the order they arrived."""
        with self._condition:
            return [s for d in self.deliveries for s in d.value().get("statuses", []) if s["id"] == wamid]

    def statuses(self, wamid: str) -> list[str]:
        return [status["status"] for status in self.status_objects(wamid)]

    def wait_for_statuses(self, wamid: str, count: int, *, timeout: float = 5) -> list[str]:
        self.wait_for(lambda _: len(self.statuses(wamid)) >= count, timeout=timeout)
        return self.statuses(wamid)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class RunningEmulator:
    def __init__(self, server: EmulatorServer) -> None:
        self.server = server
        self.url = server.url
        self.control = EmulatorClient(server.url)

    def send_text(
        self, *, to: str = CUSTOMER, body: str = "Hello from the desk", token: str = BUSINESS.access_token, **extra
    ) -> requests.Response:
        payload = {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": body}, **extra}
        return self.post_messages(payload, token=token)

    def post_messages(
        self,
        payload: object,
        *,
        token: str | None = BUSINESS.access_token,
        phone_number_id: str = BUSINESS.phone_number_id,
        version: str = "v25.0",
    ) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers["Content-Type"] = "application/json"
        return requests.post(f"{self.url}/{version}/{phone_number_id}/messages", data=data, headers=headers, timeout=10)

    def customer_writes(self, text: str = "Hi, where is my order?", *, wa_id: str = CUSTOMER, name: str = "Ana") -> str:
        return self.control.customer_sends(wa_id=wa_id, text=text, name=name)


def wait_until(condition: Callable[[], bool], *, timeout: float = 5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.stop()


@pytest.fixture
def emulator_config(webhook_receiver: WebhookReceiver) -> EmulatorConfig:
    return EmulatorConfig(
        host="127.0.0.1",
        port=0,
        webhook_url=webhook_receiver.url,
        business_numbers=(BUSINESS, OTHER_BUSINESS),
        delivered_after_seconds=0.05,
        webhook_retry_schedule=(0.05, 0.1, 0.2),
        webhook_max_attempts=5,
        webhook_timeout_seconds=2,
    )


@pytest.fixture
def emulator(emulator_config: EmulatorConfig) -> Iterator[RunningEmulator]:
    with EmulatorServer(emulator_config) as server:
        yield RunningEmulator(server)
