"""The WhatsApp connection in the admin: secrets never shown, the environment's number not editable there."""

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib.auth import get_user_model

from channels_whatsapp.connection import active_business_numbers
from channels_whatsapp.models import BusinessNumber

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "pw"))
    return client


def test_the_list_never_shows_a_secret(admin_client):
    active_business_numbers()

    page = admin_client.get("/admin/channels_whatsapp/businessnumber/").content.decode()

    assert settings.WHATSAPP_PHONE_NUMBER_ID in page
    for secret in (settings.WHATSAPP_ACCESS_TOKEN, settings.WHATSAPP_APP_SECRET, settings.WHATSAPP_VERIFY_TOKEN):
        assert secret not in page


def test_the_number_from_the_environment_says_where_to_change_it_and_takes_no_secrets(admin_client):
    number = active_business_numbers()[0]

    page = admin_client.get(f"/admin/channels_whatsapp/businessnumber/{number.pk}/change/").content.decode()

    assert "WHATSAPP_* environment variables" in page
    assert 'name="access_token"' not in page
    assert settings.WHATSAPP_ACCESS_TOKEN not in page


def test_another_number_is_configured_in_the_admin_with_write_only_secrets(admin_client):
    other = BusinessNumber.objects.create(
        phone_number_id="999", access_token="token-999", app_secret="secret-999", verify_token="verify-999"
    )

    page = admin_client.get(f"/admin/channels_whatsapp/businessnumber/{other.pk}/change/").content.decode()

    assert 'name="access_token"' in page
    assert "token-999" not in page and "secret-999" not in page


def test_the_number_from_the_environment_cannot_be_changed_or_deleted_in_the_admin(admin_client):
    number = active_business_numbers()[0]
    url = f"/admin/channels_whatsapp/businessnumber/{number.pk}/"

    page = admin_client.get(f"{url}change/").content.decode()
    changed = admin_client.post(f"{url}change/", {"display_phone_number": "1", "messages_per_second": "1"})
    deleted = admin_client.post(f"{url}delete/", {"post": "yes"})

    assert 'name="is_active"' not in page and 'name="display_phone_number"' not in page
    assert (changed.status_code, deleted.status_code) == (403, 403)
    number.refresh_from_db()
    assert (number.is_active, number.messages_per_second) == (True, settings.WHATSAPP_MESSAGES_PER_SECOND)


@pytest.mark.parametrize("field", ["phone_number_id", "waba_id"])
def test_an_id_that_is_not_metas_digits_is_refused(admin_client, field):
    data = {
        "phone_number_id": "301122334455667",
        "waba_id": "102290129340398",
        "messages_per_second": "80",
        "is_active": "on",
        "access_token": "t",
        "app_secret": "s",
        "verify_token": "v",
    } | {field: "../../me"}

    response = admin_client.post("/admin/channels_whatsapp/businessnumber/add/", data)

    assert "Meta&#x27;s ids are digits only" in response.content.decode()
    assert not BusinessNumber.objects.filter(phone_number_id="301122334455667").exists()


def test_a_number_whose_key_was_dropped_still_lists_and_its_page_asks_for_the_secrets_again(admin_client, settings):
    dropped = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [dropped, *settings.FIELD_ENCRYPTION_KEYS]
    BusinessNumber.objects.create(phone_number_id="5550001", access_token="a", app_secret="b", verify_token="c")
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[1:]

    number = BusinessNumber.objects.only("pk").get(phone_number_id="5550001")

    listing = admin_client.get("/admin/channels_whatsapp/businessnumber/")
    page = admin_client.get(f"/admin/channels_whatsapp/businessnumber/{number.pk}/change/")
    kept_blank = admin_client.post(
        f"/admin/channels_whatsapp/businessnumber/{number.pk}/change/",
        {"phone_number_id": "5550001", "messages_per_second": 80, "is_active": "on"},
    )
    entered_again = admin_client.post(
        f"/admin/channels_whatsapp/businessnumber/{number.pk}/change/",
        {"phone_number_id": "5550001", "messages_per_second": 80, "is_active": "on", "access_token": "new-a",
         "app_secret": "new-b", "verify_token": "new-c"},
    )  # fmt: skip

    assert listing.status_code == 200 and "5550001" in listing.content.decode()
    assert page.status_code == 200
    assert "These secrets cannot be read and must be entered again: access token, app secret, verify token" in (
        page.content.decode()
    )
    assert (
        kept_blank.status_code == 200 and "Cannot be read: the key it was encrypted with" in kept_blank.content.decode()
    )
    assert entered_again.status_code == 302
    number.refresh_from_db()
    assert (number.access_token, number.app_secret, number.verify_token) == ("new-a", "new-b", "new-c")
