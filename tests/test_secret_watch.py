"""The watch behind the run-wide check that no secret reaches a response or a log line (tests/secret_watch.py):
it learns secrets as they are made, and it notices one in a body or a log line, except where a page shows that
kind of secret by design."""

import logging

import pytest
from django.http import HttpResponse
from django.test import Client

from channels_whatsapp.models import BusinessNumber
from tests.factories import UserFactory, agent
from tests.secret_watch import SecretWatch

pytestmark = pytest.mark.django_db


def test_the_watch_learns_each_secret_as_it_is_made(no_secret_leaks):
    BusinessNumber.objects.create(
        phone_number_id="555000111",
        access_token="EAAG-watched-access-token",
        app_secret="watched-app-secret",
        verify_token="watched-verify-token",
    )
    person = agent()
    client = Client()
    client.force_login(person)
    key = client.post("/api/v1/api-tokens/", {"name": "watched"}, content_type="application/json").json()["token"]
    UserFactory(password="a-long-test-password-9")

    known = no_secret_leaks.secrets
    assert known["EAAG-watched-access-token"] == "BusinessNumber.access_token"
    assert known["watched-verify-token"] == "BusinessNumber.verify_token"
    assert known[key] == "API token"
    assert known["a-long-test-password-9"] == "password"
    assert known["test-app-secret"] == "WHATSAPP_APP_SECRET"


def test_a_secret_in_a_body_or_a_log_line_is_a_leak():
    watch = SecretWatch()
    watch.learn("EAAG-leaky-access-token", "BusinessNumber.access_token")
    watch.learn("wdk_leaky-api-token-value", "API token")
    logger = logging.getLogger("tests.secret_watch.probe")

    watch.read_response(
        "GET", "/admin/channels_whatsapp/businessnumber/1/change/", HttpResponse("EAAG-leaky-access-token")
    )
    watch.read_response("POST", "/api/v1/api-tokens/", HttpResponse("wdk_leaky-api-token-value"))  # shown once
    watch.read_response("GET", "/api/v1/api-tokens/", HttpResponse("wdk_leaky-api-token-value"))
    record = logger.makeRecord(
        logger.name, logging.INFO, __file__, 1, "sent with %s", ("EAAG-leaky-access-token",), None
    )
    watch.read_log_line(record.getMessage(), logger.name)

    assert watch.leaks == [
        "BusinessNumber.access_token in the response to GET /admin/channels_whatsapp/businessnumber/1/change/",
        "API token in the response to GET /api/v1/api-tokens/",
        "BusinessNumber.access_token in a log line of tests.secret_watch.probe: 'sent with EAAG-leaky-access-token'",
    ]


def test_short_values_are_not_secrets_it_could_tell_from_text():
    watch = SecretWatch()
    watch.learn("password", "password")

    watch.read_response("GET", "/login/", HttpResponse('<input type="password" name="password">'))

    assert watch.leaks == []
