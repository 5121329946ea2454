"""While the database is down, the API answers 503 with Retry-After and a JSON `detail`, and the web pages a plain
503 page, never a traceback. The database is really unreachable here: the connection points at a closed port
(PostgreSQL) or a file that cannot be opened (SQLite); nothing of ours is replaced."""

import copy
import socket
from collections.abc import Iterator

import pytest
from django.db import connections
from django.test import Client


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


def _drop_connections(connection) -> None:
    connection.close()
    if connection.vendor == "postgresql":
        connection.close_pool()  # a pool keeps the address it was made with; the next one is made anew


@pytest.fixture
def database_down(django_db_blocker) -> Iterator[None]:
    connection = connections["default"]
    with django_db_blocker.unblock():
        _drop_connections(connection)
        saved = copy.deepcopy(connection.settings_dict)
        if connection.vendor == "sqlite":
            connection.settings_dict["NAME"] = "/nonexistent-directory/db.sqlite3"
        else:
            connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
            pool = connection.settings_dict["OPTIONS"].get("pool")
            if pool:  # give up on the closed port after a second, not the pool's usual wait
                connection.settings_dict["OPTIONS"] = {
                    **connection.settings_dict["OPTIONS"],
                    "pool": {**pool, "timeout": 1},
                }
        try:
            yield
        finally:
            _drop_connections(connection)
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)


def test_the_api_answers_503_with_retry_after_while_the_database_is_down(database_down):
    response = Client().get("/api/v1/interactions/", headers={"Authorization": "Token 0123456789abcdef"})

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "temporarily unavailable" in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", "/workspace/", None),
        ("post", "/login/", {"username": "agent1", "password": "secret"}),
        ("post", "/admin/login/", {"username": "admin", "password": "secret"}),
    ],
)
def test_a_web_page_answers_a_plain_503_page_while_the_database_is_down(database_down, method, url, data):
    client = Client()
    client.cookies["sessionid"] = "a" * 32  # a signed-in browser: its session is looked up in the database

    response = getattr(client, method)(url, data) if data else getattr(client, method)(url)

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Temporarily unavailable" in page
    assert "Traceback" not in page and "OperationalError" not in page


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/healthz/"),
        ("get", "/webhooks/whatsapp/?hub.mode=subscribe&hub.verify_token=t&hub.challenge=1"),
        ("post", "/webhooks/whatsapp/"),
    ],
)
def test_health_checks_and_webhooks_answer_503_with_retry_after_while_the_database_is_down(database_down, method, url):
    response = getattr(Client(), method)(url)

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
