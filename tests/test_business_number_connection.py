"""An admin connects a business number: the callback URL and verify token to give Meta, and "Test connection"
asking the emulator's Graph API over HTTP what Meta knows, or saying what is wrong."""

import dataclasses
import logging
import socket
from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.views.debug import SafeExceptionReporterFilter

from channels_whatsapp.connection import active_business_numbers
from channels_whatsapp.connection_check import check_connection
from channels_whatsapp.emulator.client import EmulatorClient
from channels_whatsapp.emulator.server import EmulatorServer
from channels_whatsapp.models import BusinessNumber
from tests.factories import manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def meta(graph_api: EmulatorServer, settings) -> Iterator[EmulatorClient]:
    """The emulator with the app subscribed to the account's webhooks (it has a webhook URL, never called here)."""
    config = dataclasses.replace(graph_api.network.config, webhook_url="http://127.0.0.1:9/webhooks/whatsapp/")
    with EmulatorServer(config) as server:
        settings.WHATSAPP_GRAPH_API_URL = server.url
        yield EmulatorClient(server.url)


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "pw"))
    return client


def the_number() -> BusinessNumber:
    return active_business_numbers()[0]


def test_a_working_number_reports_what_meta_knows_of_it(meta):
    report = check_connection(number=the_number())

    assert report.ok and report.problems == ()
    info = report.phone_number
    assert (info.verified_name, info.display_phone_number) == ("WhatsDesk Demo", settings.WHATSAPP_DISPLAY_PHONE_NUMBER)
    assert (info.quality_rating, info.messaging_limit, info.throughput_level) == ("GREEN", "TIER_250", "STANDARD")
    assert (info.name_status, info.code_verification_status) == ("APPROVED", "VERIFIED")
    assert [app.name for app in report.subscribed_apps] == ["WhatsDesk"]


def test_a_revoked_token_is_reported_as_metas_190_with_what_to_do(meta, caplog):
    meta.set_token_revoked()

    with caplog.at_level(logging.INFO):
        report = check_connection(number=the_number())

    assert not report.ok and report.phone_number is None
    assert "error 190" in report.problems[0] and "Generate a new token" in report.problems[0]
    assert "error 190" in caplog.text and settings.WHATSAPP_ACCESS_TOKEN not in caplog.text + report.problems[0]


def test_a_phone_number_id_meta_does_not_know_is_named(meta):
    number = BusinessNumber.objects.create(
        phone_number_id="555000111222333", access_token=settings.WHATSAPP_ACCESS_TOKEN, app_secret="s", verify_token="v"
    )

    report = check_connection(number=number)

    assert report.problems == (
        "Meta knows no phone number with id 555000111222333 that this token can see (error 100). Check the id in "
        "WhatsApp Manager, and that the token belongs to the business that owns it.",
    )


def test_an_account_without_a_subscribed_app_is_told_its_messages_will_not_arrive(graph_api):
    report = check_connection(number=the_number())

    assert report.phone_number is not None and report.subscribed_apps == ()
    assert "No app is subscribed" in report.problems[0]


def test_an_unreachable_graph_api_is_said_plainly(settings, db):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        settings.WHATSAPP_GRAPH_API_URL = f"http://127.0.0.1:{probe.getsockname()[1]}"  # nothing listens there

    report = check_connection(number=the_number())

    assert report.problems[0].startswith(f"The Graph API at {settings.WHATSAPP_GRAPH_API_URL} did not answer")


def test_the_page_shows_the_callback_url_the_verify_token_and_only_whether_the_other_secrets_are_set(admin_client):
    number = BusinessNumber.objects.create(
        phone_number_id="301122334455667", access_token="EAAG-token-301", app_secret="secret-301", verify_token="v-301"
    )

    page = admin_client.get(f"/admin/channels_whatsapp/businessnumber/{number.pk}/change/").content.decode()

    assert f'value="{settings.PUBLIC_BASE_URL}/webhooks/whatsapp/"' in page
    assert 'data-testid="verify-token" value="v-301"' in page
    assert "<li>Access token: set</li>" in page and "<li>App secret: set</li>" in page
    assert "Set. Leave empty to keep it" in page
    assert "EAAG-token-301" not in page and "secret-301" not in page


def test_a_new_number_without_a_verify_token_gets_one_made_up(admin_client):
    response = admin_client.post(
        "/admin/channels_whatsapp/businessnumber/add/",
        {
            "phone_number_id": "301122334455667",
            "waba_id": "102290129340398",
            "messages_per_second": "80",
            "is_active": "on",
            "access_token": "EAAG-token",
            "app_secret": "secret",
            "verify_token": "",
        },
    )

    assert response.status_code == 302
    assert len(BusinessNumber.objects.get(phone_number_id="301122334455667").verify_token) >= 24


def test_secrets_posted_in_the_admin_are_kept_out_of_error_reports(admin_client):
    response = admin_client.post(
        "/admin/channels_whatsapp/businessnumber/add/",
        {"phone_number_id": "not digits", "messages_per_second": "80", "access_token": "EAAG-t", "app_secret": "s"},
    )

    reported = SafeExceptionReporterFilter().get_post_parameters(response.wsgi_request)
    assert reported["phone_number_id"] == "not digits"
    assert {reported["access_token"], reported["app_secret"]} == {"********************"}


def test_test_connection_in_the_admin_shows_the_report(admin_client, meta):
    number = the_number()

    page = admin_client.post(f"/admin/channels_whatsapp/businessnumber/{number.pk}/test-connection/")

    content = page.content.decode()
    assert page.status_code == 200
    assert 'data-ok="true"' in content and "WhatsDesk Demo" in content and "Quality rating: GREEN" in content
    assert "subscribed (WhatsDesk)" in content
    assert settings.WHATSAPP_ACCESS_TOKEN not in content and settings.WHATSAPP_APP_SECRET not in content


def test_test_connection_of_a_token_no_key_opens_says_so_without_asking_meta(admin_client, graph_api, settings):
    number = the_number()
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the key the token was stored with dropped

    page = admin_client.post(f"/admin/channels_whatsapp/businessnumber/{number.pk}/test-connection/")

    assert page.status_code == 200
    assert 'data-ok="false"' in page.content.decode()
    assert "cannot be decrypted" in page.content.decode() and "enter the token again" in page.content.decode()
    assert EmulatorClient(graph_api.url).requests_log() == []


def test_test_connection_is_a_post_for_those_who_configure_numbers(admin_client, graph_api):
    url = f"/admin/channels_whatsapp/businessnumber/{the_number().pk}/test-connection/"
    managing = Client()
    managing.force_login(manager(username="mia"))

    assert admin_client.get(url).status_code == 405
    assert managing.post(url).status_code == 403
    assert EmulatorClient(graph_api.url).requests_log() == []  # nobody asked Meta
