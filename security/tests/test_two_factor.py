"""Two-factor sign-in: a person enrols an authenticator app (QR code or key, confirmed with a code), and from then
on every sign-in, workspace or admin, needs the current code; a wrong code counts as a failed sign-in. With
TWO_FACTOR_REQUIRED_FOR_ADMINS, an admin who has not enrolled is sent to enrol before anything else opens."""

from base64 import b32encode

import pytest
from django.conf import settings
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from audit.models import AuditEntry
from interactions.roles import ADMIN
from security.api_tokens import create_api_token
from tests.factories import UserFactory, agent

pytestmark = pytest.mark.django_db


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def sign_in(url: str, user, code: str | None = None, address: str = "10.9.9.9"):
    client = Client(REMOTE_ADDR=address)
    data = {"username": user.username, "password": "password"}
    if code is not None:
        data["otp_token"] = code
    return client, client.post(url, data)


def test_a_person_enrols_by_confirming_a_code_from_the_app():
    person = agent()
    client = Client()
    client.force_login(person)

    page = client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=person)
    wrong = client.post("/account/two-factor/", {"code": "12345"})
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)  # a wrong code slows the next one
    right = client.post("/account/two-factor/", {"code": current_code(device)})

    assert page.status_code == 200 and "<svg" in page.content.decode() and 'style="' not in page.content.decode()
    assert "not the current one" in wrong.content.decode()
    assert right.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert "Two-factor sign-in is on" in client.get("/account/two-factor/").content.decode()
    assert AuditEntry.objects.filter(object_id=str(device.pk), changes__event="two-factor enrolled").exists()


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_once_enrolled_every_sign_in_needs_the_current_code(url):
    person = UserFactory(is_staff=True, role=ADMIN)
    device = enrolled(person)

    _, without = sign_in(url, person)
    _, wrong = sign_in(url, person, code="12345")
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)  # a wrong code slows the next one
    client, right = sign_in(url, person, code=current_code(device))

    assert without.status_code == 200 and "code from your authenticator app" in without.content.decode()
    assert wrong.status_code == 200 and "code from your authenticator app" in wrong.content.decode()
    assert right.status_code == 302
    assert client.get("/workspace/").status_code == 200


def test_wrong_codes_count_towards_the_sign_in_lockout():
    person = agent()
    device = enrolled(person)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in("/login/", person, code="99999x")

    _, locked = sign_in("/login/", person, code=current_code(device))

    assert locked.status_code == 200 and "Too many failed sign-ins" in locked.content.decode()


def test_people_who_have_not_enrolled_sign_in_with_their_password_alone():
    client, answer = sign_in("/login/", agent())

    assert answer.status_code == 302 and client.get("/workspace/").status_code == 200


def test_with_the_setting_an_admin_must_enrol_before_anything_opens(settings):
    settings.TWO_FACTOR_REQUIRED_FOR_ADMINS = True
    boss, person = UserFactory(is_staff=True, role=ADMIN), agent()

    client, _ = sign_in("/login/", boss)
    workspace = client.get("/workspace/")
    admin_page = client.get("/admin/")
    api = client.get("/api/v1/interactions/")
    enrol = client.get("/account/two-factor/")
    agents_client, _ = sign_in("/login/", person)

    assert workspace.status_code == 302 and workspace["Location"] == "/account/two-factor/"
    assert admin_page["Location"] == "/account/two-factor/"
    assert api.status_code == 403 and "two-factor" in api.json()["detail"]
    assert enrol.status_code == 200 and "Admins must turn on two-factor sign-in" in enrol.content.decode()
    assert agents_client.get("/workspace/").status_code == 200  # agents are not asked

    device = TOTPDevice.objects.get(user=boss)
    client.post("/account/two-factor/", {"code": current_code(device)})
    assert client.get("/workspace/").status_code == 200


def test_the_admin_lists_who_has_it_on_and_never_shows_the_key():
    boss, person = UserFactory(is_staff=True, role=ADMIN), agent()
    device = enrolled(person)
    client = Client()
    client.force_login(boss)

    listed = client.get("/admin/otp_totp/totpdevice/")
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()

    assert listed.status_code == 200 and person.username in listed.content.decode()
    assert device.key not in page and b32encode(device.bin_key).decode() not in page
    qr_code = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/", follow=True)  # django-otp's: gone
    assert qr_code["Content-Type"].startswith("text/html") and device.key not in qr_code.content.decode()


def test_an_admin_removes_an_agents_device_but_not_a_peer_admins_or_a_superusers():
    boss = UserFactory(is_staff=True, role=ADMIN)
    mine, agents = enrolled(boss), enrolled(agent())
    peers, roots = enrolled(UserFactory(is_staff=True, role=ADMIN)), enrolled(UserFactory(is_superuser=True))
    client = Client()
    client.force_login(boss)

    refused = [
        client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"}) for device in (peers, roots)
    ]
    in_bulk = client.post(
        "/admin/otp_totp/totpdevice/",
        {"action": "delete_selected", "_selected_action": [peers.pk, agents.pk], "post": "yes"},
    )
    removed = client.post(f"/admin/otp_totp/totpdevice/{agents.pk}/delete/", {"post": "yes"})
    own = client.post(f"/admin/otp_totp/totpdevice/{mine.pk}/delete/", {"post": "yes"})

    assert [answer.status_code for answer in refused] == [403, 403]
    assert in_bulk.status_code == 403  # nothing of the selection is deleted
    assert removed.status_code == 302 and own.status_code == 302
    assert set(TOTPDevice.objects.all()) == {peers, roots}


def test_with_the_setting_an_unenrolled_admins_tokens_are_refused_and_others_pass(settings):
    settings.TWO_FACTOR_REQUIRED_FOR_ADMINS = True
    boss, enrolled_boss, person = UserFactory(role=ADMIN), UserFactory(role=ADMIN), agent()
    enrolled(enrolled_boss)

    def bearer(user):
        key = create_api_token(user=user, name="x", expires_at=None, created_by=user).key
        return Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/interactions/")

    def drf_token(user):
        key = Token.objects.get_or_create(user=user)[0].key
        return Client(headers={"Authorization": f"Token {key}"}).get("/api/v1/interactions/")

    for refused in (bearer(boss), drf_token(boss)):
        assert refused.status_code == 403
        assert "two-factor sign-in" in refused.json()["detail"] and "/account/two-factor/" in refused.json()["detail"]
    for allowed in (bearer(enrolled_boss), drf_token(enrolled_boss), bearer(person), drf_token(person)):
        assert allowed.status_code == 200
    settings.TWO_FACTOR_REQUIRED_FOR_ADMINS = False
    assert bearer(boss).status_code == 200 and drf_token(boss).status_code == 200


def test_an_unverified_session_of_an_enrolled_person_must_give_the_code_and_is_offered_no_new_device(settings):
    settings.TWO_FACTOR_REQUIRED_FOR_ADMINS = True
    boss = UserFactory(is_staff=True, role=ADMIN)
    device = enrolled(boss)
    client = Client()
    client.force_login(boss)  # a session that never entered a code (signed in before enrolling elsewhere)

    page = client.get("/account/two-factor/")
    wrong = client.post("/account/two-factor/", {"code": "000000" if current_code(device) != "000000" else "111111"})
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)  # a wrong code slows the next one
    blocked = client.get("/workspace/")
    right = client.post("/account/two-factor/", {"code": current_code(device)})

    assert page.status_code == 200 and "this session has not entered a code" in page.content.decode()
    assert (
        "two-factor-qr" not in page.content.decode() and b32encode(device.bin_key).decode() not in page.content.decode()
    )
    assert wrong.status_code == 200 and "not the current one" in wrong.content.decode()
    assert list(TOTPDevice.objects.filter(user=boss)) == [device]  # no second secret was made
    assert blocked.status_code == 302 and blocked["Location"] == "/account/two-factor/"
    assert right.status_code == 302
    assert "Two-factor sign-in is on" in client.get("/account/two-factor/").content.decode()
    assert client.get("/workspace/").status_code == 200
    assert list(TOTPDevice.objects.filter(user=boss)) == [device]


def test_wrong_codes_on_the_verify_page_count_towards_the_sign_in_lockout():
    person = agent()
    device = enrolled(person)
    client = Client(REMOTE_ADDR="10.9.9.8")
    client.force_login(person)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/account/two-factor/", {"code": "99999x"})

    _, locked = sign_in("/login/", person, code=current_code(device), address="10.9.9.8")

    assert locked.status_code == 200 and "Too many failed sign-ins" in locked.content.decode()
    assert (
        "Too many failed sign-ins"
        in client.post("/account/two-factor/", {"code": current_code(device)}).content.decode()
    )
