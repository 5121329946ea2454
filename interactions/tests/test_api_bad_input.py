"""Bad input is a 400 that says what is wrong, never a 500: nothing a client sends reaches the database as
something it cannot store or compare (NUL, lone surrogates, numbers past 64 bits, JSON nested thousands deep).
PostgreSQL is where these broke; SQLite runs the same checks."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from interactions.models import Message
from tests.factories import InteractionFactory, agent

pytestmark = pytest.mark.django_db

HUGE = "9223372036854775808"  # 2**63: past PostgreSQL's bigint


@pytest.fixture
def person():
    return agent()


@pytest.fixture
def client(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/interactions/?search=a%00b&wa_id=a%00b", "wa_id"),
        ("/api/v1/interactions/?state=a%00b", "state"),
        ("/api/v1/interactions/?limit=" + HUGE, "limit"),
        ("/api/v1/interactions/?limit=0", "limit"),
        ("/api/v1/interactions/?limit=ten", "limit"),
        ("/api/v1/interactions/?offset=-1", "offset"),
        ("/api/v1/channel-users/?search=a%00b", "search"),
        ("/api/v1/outreach/?number=1555%00123", "number"),
        ("/api/v1/interactions/{pk}/messages/?after_revision=" + HUGE, "after_revision"),
        ("/api/v1/interactions/{pk}/messages/?after_revision=%00", "after_revision"),
    ],
)
def test_a_query_parameter_the_database_cannot_take_is_a_400_naming_it(client, person, url, parameter):
    interaction = InteractionFactory(assigned_to=person)

    response = client.get(url.format(pk=interaction.pk))

    assert response.status_code == 400, response.content
    assert parameter in response.json()


def test_an_offset_past_the_end_is_an_empty_page(client):
    InteractionFactory()

    response = client.get(f"/api/v1/interactions/?offset={HUGE}")

    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    "url",
    ["/api/v1/interactions/{huge}/", "/api/v1/messages/{huge}/link-preview/", "/api/v1/channel-users/{huge}/consent/"],
)
def test_an_id_past_64_bits_is_not_found(client, url):
    assert client.get(url.format(huge=HUGE)).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "location", "content": {"latitude": 1, "longitude": 2, "name": "a\x00b"}}, "content"),
        ({"kind": "location", "content": {"latitude": 1, "longitude": 2, "name\x00": "x"}}, "content"),
        ({"kind": "location", "content": {"latitude": 1, "longitude": 2, "name": "\ud800"}}, "content"),
        ({"text": "a\x00b"}, "text"),
        ({"text": "\ud800"}, "text"),
        ({"text": "hi", "reply_to": int(HUGE)}, "reply_to"),
    ],
)
def test_a_message_body_the_database_cannot_store_is_a_400_naming_the_field(client, person, body, field):
    interaction = InteractionFactory(assigned_to=person)

    response = client.post(
        f"/api/v1/interactions/{interaction.pk}/messages/", json.dumps(body), content_type="application/json"
    )

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Message.objects.exists()


def test_json_nested_too_deeply_is_a_400():
    client = Client()
    person = agent()
    client.force_login(person)
    interaction = InteractionFactory(assigned_to=person)

    response = client.post(
        f"/api/v1/interactions/{interaction.pk}/messages/", "[" * 50_000, content_type="application/json"
    )

    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_template_values_with_a_nul_are_a_400(client, person):
    interaction = InteractionFactory(assigned_to=person)

    response = client.post(
        f"/api/v1/interactions/{interaction.pk}/template-messages/",
        json.dumps({"template_id": 1, "values": {"body": ["a\x00b"]}}),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "NUL" in response.json()["values"][0]


def test_an_idempotency_key_with_a_control_character_is_a_400(client):
    response = client.post(
        "/api/v1/notifications/",
        json.dumps({"number": "4915112345678", "reason": "order shipped", "text": "Shipped"}),
        content_type="application/json",
        headers={"Idempotency-Key": "key\x00one"},
    )

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/interactions/channeluser/?external_id=a%00b",
        "/admin/auth/user/?username=a%00b",
        "/admin/interactions/interaction/?q=%00",
        "/workspace/?x%00=1",
    ],
)
def test_a_nul_in_any_pages_query_is_a_400_with_the_reason(url):
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "pw"))

    response = client.get(url)

    assert response.status_code == 400
    assert "Null characters are not allowed" in response.content.decode()
