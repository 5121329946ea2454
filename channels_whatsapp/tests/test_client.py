"""The Graph API client against a tiny local HTTP server that answers the way Meta (or a proxy in front of it) does."""

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from channels_whatsapp.client import AcceptedMessage, GraphApiClient, GraphApiError, GraphApiUnreachable

PHONE_NUMBER_ID = "106540352242922"
SEND_BODY = {
    "messaging_product": "whatsapp",
    "recipient_type": "individual",
    "to": "16505551234",
    "type": "text",
    "text": {"body": "It ships today.", "preview_url": False},
}
ACCEPTED = {
    "messaging_product": "whatsapp",
    "contacts": [{"input": "16505551234", "wa_id": "16505551234"}],
    "messages": [{"id": "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"}],
}


@dataclass
class Reply:
    status: int = 200
    body: bytes | dict = field(default_factory=lambda: ACCEPTED)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hang_up: bool = False


@dataclass
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: dict


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address) -> None:
        pass  # a client that timed out has gone before the late answer is written


class GraphApiStandIn:
    """Answers each POST with the next queued Reply and remembers what it was sent."""

    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[ReceivedRequest] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                stand_in.requests.append(ReceivedRequest(self.path, dict(self.headers), json.loads(raw or b"null")))
                reply = stand_in.replies.popleft() if stand_in.replies else Reply()
                time.sleep(reply.delay)
                if reply.hang_up:
                    self.close_connection = True
                    return
                body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json", **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args) -> None:
                pass

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def answer(self, **reply) -> None:
        self.replies.append(Reply(**reply))


@pytest.fixture
def graph_api() -> Iterator[GraphApiStandIn]:
    stand_in = GraphApiStandIn()
    stand_in.thread.start()
    yield stand_in
    stand_in.server.shutdown()
    stand_in.server.server_close()


def client_for(url: str, *, timeout: float = 2.0) -> GraphApiClient:
    return GraphApiClient(base_url=url, version="v25.0", access_token="test-access-token", timeout=timeout)


def send(client: GraphApiClient) -> AcceptedMessage:
    return client.send_message(phone_number_id=PHONE_NUMBER_ID, body=SEND_BODY)


def test_an_accepted_send_returns_the_wamid_and_the_canonical_wa_id(graph_api):
    graph_api.answer(
        body={
            "messaging_product": "whatsapp",
            "contacts": [{"input": "+1 650-555-1234", "wa_id": "16505551234"}],
            "messages": [{"id": "wamid.ACCEPTED"}],
        }
    )

    accepted = send(client_for(graph_api.url))

    assert accepted == AcceptedMessage(wamid="wamid.ACCEPTED", wa_id="16505551234")


def test_the_send_is_posted_to_the_numbers_messages_edge_with_the_bearer_token(graph_api):
    send(client_for(graph_api.url + "/"))

    (request,) = graph_api.requests
    assert request.path == f"/v25.0/{PHONE_NUMBER_ID}/messages"
    assert request.headers["Authorization"] == "Bearer test-access-token"
    assert request.headers["Content-Type"] == "application/json"
    assert request.body == SEND_BODY


def test_metas_error_object_becomes_a_graph_api_error_with_code_details_and_trace_id(graph_api):
    graph_api.answer(
        status=400,
        body={
            "error": {
                "message": "(#131047) Re-engagement message",
                "type": "OAuthException",
                "code": 131047,
                "error_data": {
                    "messaging_product": "whatsapp",
                    "details": "Message failed to send because more than 24 hours have passed since the customer "
                    "last replied to this number.",
                },
                "fbtrace_id": "AvCmQDzY1wWZ3kTq6V0o9lS",
            }
        },
    )

    with pytest.raises(GraphApiError) as raised:
        send(client_for(graph_api.url))

    error = raised.value
    assert error.http_status == 400
    assert error.code == 131047
    assert error.message == "(#131047) Re-engagement message"
    assert error.details.startswith("Message failed to send because more than 24 hours")
    assert error.fbtrace_id == "AvCmQDzY1wWZ3kTq6V0o9lS"
    assert error.retry_after is None


def test_a_throttled_send_carries_metas_retry_after(graph_api):
    graph_api.answer(
        status=429,
        headers={"Retry-After": "30"},
        body={
            "error": {
                "message": "(#130429) Rate limit hit",
                "type": "OAuthException",
                "code": 130429,
                "error_data": {
                    "messaging_product": "whatsapp",
                    "details": "Cloud API message throughput has been reached.",
                },
                "fbtrace_id": "A7bS0Wb6cK2eXvEUF6OJ0gU",
            }
        },
    )

    with pytest.raises(GraphApiError) as raised:
        send(client_for(graph_api.url))

    assert (raised.value.code, raised.value.retry_after) == (130429, timedelta(seconds=30))


@pytest.mark.parametrize("retry_after", ["", "soon", "Wed, 21 Oct 2026 07:28:00 GMT", "-5"])
def test_a_retry_after_that_is_not_a_number_of_seconds_is_ignored(graph_api, retry_after):
    graph_api.answer(status=503, headers={"Retry-After": retry_after}, body={"error": {"code": 2, "message": "x"}})

    with pytest.raises(GraphApiError) as raised:
        send(client_for(graph_api.url))

    assert raised.value.retry_after is None


def test_an_html_502_from_a_proxy_is_an_error_without_a_code(graph_api):
    graph_api.answer(
        status=502,
        headers={"Content-Type": "text/html", "Retry-After": "5"},
        body=b"<html><body><h1>502 Bad Gateway</h1></body></html>",
    )

    with pytest.raises(GraphApiError) as raised:
        send(client_for(graph_api.url))

    error = raised.value
    assert (error.http_status, error.code, error.fbtrace_id) == (502, None, "")
    assert error.message == "HTTP 502 without Meta's error object"
    assert error.retry_after == timedelta(seconds=5)


@pytest.mark.parametrize(
    "body",
    [{"messaging_product": "whatsapp"}, {"messages": [], "contacts": []}, {"messages": [{}], "contacts": [{}]}],
    ids=["no messages", "empty lists", "no ids"],
)
def test_a_success_without_a_message_id_leaves_the_outcome_unknown(graph_api, body):
    """Meta said 200, so it probably accepted the message: reconcile by its status webhook, never resend blindly."""
    graph_api.answer(body=body)

    with pytest.raises(GraphApiUnreachable) as raised:
        send(client_for(graph_api.url))

    assert raised.value.request_may_have_arrived is True


def test_a_json_error_object_with_a_non_numeric_code_has_no_code(graph_api):
    graph_api.answer(status=400, body={"error": {"message": "Invalid", "code": "100"}})

    with pytest.raises(GraphApiError) as raised:
        send(client_for(graph_api.url))

    assert (raised.value.code, raised.value.message) == (None, "Invalid")


def test_a_refused_connection_is_unreachable_and_the_request_never_arrived():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]

    with pytest.raises(GraphApiUnreachable) as raised:
        send(client_for(f"http://127.0.0.1:{closed_port}"))

    assert raised.value.request_may_have_arrived is False


def test_a_read_timeout_is_unreachable_and_the_request_may_have_arrived(graph_api):
    graph_api.answer(delay=1.5)

    with pytest.raises(GraphApiUnreachable) as raised:
        send(client_for(graph_api.url, timeout=0.3))

    assert raised.value.request_may_have_arrived is True
    assert len(graph_api.requests) == 1


def test_a_connection_dropped_before_the_answer_means_the_request_may_have_arrived(graph_api):
    graph_api.answer(hang_up=True)

    with pytest.raises(GraphApiUnreachable) as raised:
        send(client_for(graph_api.url))

    assert raised.value.request_may_have_arrived is True
    assert len(graph_api.requests) == 1
