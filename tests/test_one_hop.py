"""An agent's presence change through Django in one thread hop (`config/one_hop.py`) answers exactly as Django's
ASGI handler does: the same middleware (sessions, CSRF, authentication, security headers), the same view, the same
errors (status, headers but Date, body); and the request starts and finishes on the thread that served it."""

import json
import threading

import pytest
from asgiref.testing import ApplicationCommunicator
from django.core import signals
from django.test import Client
from rest_framework.authtoken.models import Token

from config.asgi import application, django_asgi_app, one_hop_app
from config.one_hop import OneHopHandler
from interactions.tests.test_workspace_socket import in_own_event_loop
from routing.models import AgentProfile, Presence
from tests.factories import agent, manager

pytestmark = pytest.mark.django_db(transaction=True)

PATH = "/api/v1/routing/me/presence/"
CSRF_SECRET = "a" * 32
VARYING = {b"date", b"server"}


def ask(app, *, body: dict | str, headers: list[tuple[bytes, bytes]], method: str = "POST") -> tuple[int, dict, str]:
    payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": PATH,
        "raw_path": PATH.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"localhost"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
            *headers,
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }

    async def exchange() -> tuple[int, dict, str]:
        communicator = ApplicationCommunicator(app, scope)
        await communicator.send_input({"type": "http.request", "body": payload})
        start = await communicator.receive_output(timeout=10)
        body = await communicator.receive_output(timeout=10)
        await communicator.wait(timeout=1)
        answered = {name.lower(): value for name, value in start["headers"] if name.lower() not in VARYING}
        return start["status"], answered, body["body"].decode()

    return in_own_event_loop(exchange)


def token_of(user) -> list[tuple[bytes, bytes]]:
    return [(b"authorization", f"Token {Token.objects.get_or_create(user=user)[0].key}".encode())]


def session_of(user, *, csrf: bool) -> list[tuple[bytes, bytes]]:
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}; csrftoken={CSRF_SECRET}"
    return [(b"cookie", cookie.encode()), *([(b"x-csrftoken", CSRF_SECRET.encode())] if csrf else [])]


def both(**request) -> tuple[int, dict, str]:
    """The answer of the one-hop path, checked equal to Django's own handler's for the same request."""
    lean = ask(one_hop_app, **request)
    full = ask(django_asgi_app, **request)
    assert lean == full
    return lean


def test_the_presence_path_takes_the_one_hop_handler_and_answers_as_django_does():
    person = agent()
    headers = token_of(person)

    handlers = []

    def started(sender, **_) -> None:
        handlers.append(sender)

    signals.request_started.connect(started)
    try:
        status, answered, text = ask(application, body={"presence": "available"}, headers=headers)
    finally:
        signals.request_started.disconnect(started)
    assert handlers == [OneHopHandler]
    assert (status, json.loads(text).get("presence")) == (200, Presence.AVAILABLE), text
    assert AgentProfile.objects.get(user=person).presence == Presence.AVAILABLE
    # Unchanged the second time, so both handlers give the same body (the same `presence_changed_at`).
    status, answered, _ = both(body={"presence": "available"}, headers=headers)
    assert status == 200
    assert {b"x-frame-options", b"x-content-type-options", b"referrer-policy", b"vary"} <= answered.keys()


@pytest.mark.parametrize(
    ("case", "status", "says"),
    [
        ("anonymous", 401, "detail"),
        ("not an agent", 403, "detail"),
        ("not a presence", 400, "presence"),
        ("not JSON", 400, "detail"),
        ("session without CSRF token", 403, "detail"),
        ("GET", 405, "detail"),
    ],
)
def test_refusals_are_django_s_own(case, status, says):
    person = agent()
    request = {
        "anonymous": {"body": {"presence": "available"}, "headers": []},
        "not an agent": {"body": {"presence": "available"}, "headers": token_of(manager())},
        "not a presence": {"body": {"presence": "busy"}, "headers": token_of(person)},
        "not JSON": {"body": "{presence", "headers": token_of(person)},
        "session without CSRF token": {"body": {"presence": "available"}, "headers": session_of(person, csrf=False)},
        "GET": {"body": "", "headers": token_of(person), "method": "GET"},
    }[case]

    answered_status, _, text = both(**request)

    assert (answered_status, says in json.loads(text)) == (status, True)
    assert not AgentProfile.objects.filter(user=person, presence=Presence.AVAILABLE).exists()


def test_a_browser_session_with_its_csrf_token_changes_the_presence():
    person = agent()
    headers = session_of(person, csrf=True)

    status, _, text = ask(application, body={"presence": "away", "away_reason": "Lunch"}, headers=headers)

    assert status == 200
    assert (json.loads(text)["presence"], json.loads(text)["away_reason"]) == ("away", "Lunch")


def test_the_request_starts_and_finishes_on_the_thread_that_serves_it():
    """`request_finished` closes the connections of the thread it runs on: it must be the one the view used, or
    that thread keeps its connection out of the pool."""
    person = agent()
    headers = token_of(person)
    seen: list[tuple[str, int]] = []

    def started(**_) -> None:
        seen.append(("started", threading.get_ident()))

    def finished(**_) -> None:
        seen.append(("finished", threading.get_ident()))

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    try:
        assert ask(one_hop_app, body={"presence": "available"}, headers=headers)[0] == 200
    finally:
        signals.request_started.disconnect(started)
        signals.request_finished.disconnect(finished)

    [(_, starting), (_, finishing)] = seen
    assert [name for name, _ in seen] == ["started", "finished"]
    assert starting == finishing != threading.get_ident()
