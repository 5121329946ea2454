"""The API's OpenAPI schema exists, is valid, and the API keeps to it.

The schema generates without a warning or an error (what `manage.py spectacular --validate --fail-on-warn`
checks), /api/docs/ serves Swagger UI from our own static files, and schemathesis sends what the schema allows
(and what it does not) to every operation, as every role (agent, manager, admin, and a signed-in user with none),
over a desk seeded with real interactions and messages: no answer may be a 5xx, every answer must be a status and
a body the schema documents, every refusal (4xx) says why, and a refusal writes nothing. The app runs in-process
through Django's WSGI handler; transactions are never committed, so nothing is queued for the channel.
`POST /api/v1/templates/sync/` is left out: it is the one operation that calls the channel's Graph API.
"""

import json
from collections.abc import Iterator

import pytest
import schemathesis
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from consent.models import ConsentRecord
from consent.services import record_consent
from interactions.models import ChannelUser, DeliveryAttempt, Interaction, Message, MessageAttachment
from interactions.roles import ADMIN
from interactions.services.inbound import record_inbound_message
from interactions.services.outbound import send_agent_reply
from interactions.tests.core_events import inbound_message
from tests.consent_factories import template
from tests.factories import UserFactory, agent, manager


def test_the_schema_generates_without_warnings_or_errors(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    assert "/api/v1/interactions/{id}/messages/" in (tmp_path / "schema.yaml").read_text()


def test_the_deploy_checks_pass(monkeypatch, settings):
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)  # set by the browser tests' fixture, never deployed
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # a deployment's own; the tests' is derived
    call_command("check", "--deploy", "--fail-level", "ERROR")  # drf-spectacular's check generates the schema


@pytest.mark.django_db
def test_the_schema_and_its_docs_are_served_without_internet_access():
    client = Client()

    schema = client.get("/api/schema/?format=json")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200 and json.loads(schema.content)["openapi"].startswith("3.")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn." not in page and "https://" not in page
    bundle = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert bundle.status_code == 200


@pytest.mark.django_db
def test_a_body_of_a_type_the_operation_cannot_read_gets_the_documented_415():
    client = Client()
    client.force_login(agent())
    documented = json.loads(client.get("/api/schema/?format=json").content)

    answer = client.post("/api/v1/conversations/", "number=+4915112345678", content_type="text/plain")

    assert answer.status_code == 415 and "text/plain" in answer.json()["detail"]
    assert "415" in documented["paths"]["/api/v1/conversations/"]["post"]["responses"]
    assert "415" not in documented["paths"]["/api/v1/interactions/"]["get"]["responses"]  # no body, no 415


@pytest.fixture
def desk(db):
    """A desk in use: conversations with customer messages, replies, a consent record and a template."""
    person = agent()
    first = record_inbound_message(event=inbound_message(text="Where is my order?", sender_name="Ana Lima"))
    send_agent_reply(interaction=first.interaction, author=person, text="It ships today.")
    second = record_inbound_message(event=inbound_message(text="Hello", sender_id="4915112345678", sender_name="Ben"))
    record_consent(
        channel_user=second.interaction.channel_user,
        status="opted_in",
        method="paper_form",
        recorded_by=person,
        note="Signed form",
    )
    template(second.interaction.channel_user)
    return {"agent": person, "manager": manager(), "admin": UserFactory(role=ADMIN), "no role": UserFactory()}


@pytest.fixture
def in_process_app() -> Iterator[None]:
    """The WSGI handler closes the connection after each request, which would end the test's transaction;
    Django's own test client keeps it open the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Read through the app itself, anonymously (no database needed), when the tests are collected. Syncing templates
# calls the channel's Graph API: the one operation that leaves the process, so it is left out.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application()).exclude(
    path="/api/v1/templates/sync/"
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# What a refusal must leave as it was. A refused notification is kept on purpose (managers review refusals).
WRITTEN_BY_SUCCESS_ONLY = (ChannelUser, Interaction, Message, MessageAttachment, DeliveryAttempt, ConsentRecord)


def _rows() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in WRITTEN_BY_SUCCESS_ONLY}


def _reasons(body: object) -> list[str]:
    if isinstance(body, dict):
        return [reason for value in body.values() for reason in _reasons(value)]
    if isinstance(body, list):
        return [reason for value in body for reason in _reasons(value)]
    return [str(body)] if isinstance(body, str) else []


def _assert_keeps_to_the_schema(case, user) -> None:
    token = Token.objects.get_or_create(user=user)[0]
    before = _rows()

    response = case.call(headers={"Authorization": f"Token {token.key}"})

    case.validate_response(response, checks=CHECKS)
    if 400 <= response.status_code < 500:
        assert any(reason.strip() for reason in _reasons(response.json())), (response.status_code, response.text)
        assert _rows() == before, f"{response.status_code} refused, yet wrote: {before} -> {_rows()}"
    assert not ChannelUser.objects.filter(interactions__isnull=True).exists(), "a customer without a conversation"
    assert not Interaction.objects.filter(messages__isnull=True).exists(), "a conversation without a message"


@pytest.mark.parametrize("role", ["agent", "manager"])
@schema.parametrize()
@settings(max_examples=15, phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_schema_and_never_answers_5xx(case, role, desk, in_process_app):
    _assert_keeps_to_the_schema(case, desk[role])


# An admin reads and notifies, and a user with no role is refused at the door: fewer examples cover them. Each
# example costs ~45 ms of CPU (the call and validating its answer), so `make test` stays quick.
@pytest.mark.parametrize("role", ["admin", "no role"])
@schema.parametrize()
@settings(max_examples=5, phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_schema_for_admins_and_users_without_a_role(case, role, desk, in_process_app):
    _assert_keeps_to_the_schema(case, desk[role])
