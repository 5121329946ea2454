"""The audit log: every configuration change in the admin, role and permission change, consent change, erasure,
export, sign-in, sign-out and failed sign-in is an entry naming who, what, when and from where; secrets are never
in it; admins read it and nobody (superusers included) changes it, in the admin or, on PostgreSQL, in SQL."""

import json

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, connection, transaction
from django.test import Client, override_settings
from django.utils.timezone import localtime

from audit.models import AuditAction, AuditEntry
from audit.services import record_audit_entry
from channels_whatsapp.models import BusinessNumber
from consent.models import ConsentErasure, ConsentKeyword, ConsentMethod, ConsentRecord, ConsentStatus, KeywordLanguage
from consent.services import record_consent
from interactions.roles import ADMIN, AGENT
from interactions.tests.test_user_admin import change_url, form_data
from routing.models import ResolutionCode
from tests.factories import ChannelUserFactory, UserFactory, agent, manager

pytestmark = pytest.mark.django_db

User = get_user_model()
FROM = {"REMOTE_ADDR": "198.51.100.7", "HTTP_USER_AGENT": "Firefox/140 (audit test)"}


def superuser_client() -> tuple[Client, User]:
    person = UserFactory(is_staff=True, is_superuser=True)
    client = Client(**FROM)
    client.force_login(person)
    return client, person


_before_the_test = 0


@pytest.fixture(autouse=True)
def only_this_tests_entries():
    """The migrations' own grants to the role groups are entries too (by no one): they are left out here."""
    global _before_the_test
    _before_the_test = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action, pk__gt=_before_the_test).order_by("pk"))


def only_entry(action: str) -> AuditEntry:
    (entry,) = entries(action)
    return entry


def assert_from_the_test_client(entry: AuditEntry, person) -> None:
    assert (entry.user_id, entry.username) == (person.pk, person.username)
    assert (entry.address, entry.user_agent) == ("198.51.100.7", "Firefox/140 (audit test)")


def test_adding_changing_and_deleting_configuration_in_the_admin_is_recorded_field_by_field():
    client, person = superuser_client()

    client.post("/admin/routing/resolutioncode/add/", {"text": "Resolved", "order": 5, "is_active": "on"})
    code = ResolutionCode.objects.get(text="Resolved")
    client.post(f"/admin/routing/resolutioncode/{code.pk}/change/", {"text": "Fixed", "order": 5})
    client.post(f"/admin/routing/resolutioncode/{code.pk}/delete/", {"post": "yes"})

    added, changed, deleted = (only_entry(action) for action in ("config.added", "config.changed", "config.deleted"))
    assert added.changes["text"] == {"old": None, "new": "Resolved"}
    assert changed.changes == {"text": {"old": "Resolved", "new": "Fixed"}, "is_active": {"old": True, "new": False}}
    assert (deleted.object_id, deleted.object_label) == (str(code.pk), "Fixed")
    for entry in (added, changed, deleted):
        assert_from_the_test_client(entry, person)
        assert (entry.content_type.app_label, entry.content_type.model) == ("routing", "resolutioncode")


def test_inline_rows_are_recorded_one_by_one():
    client, _ = superuser_client()
    language = KeywordLanguage.objects.create(
        code="xx", name="Test", opt_out_confirmation="Bye", opt_in_confirmation="Hi", opt_in_question="OK?"
    )
    posted = {
        "code": "xx",
        "name": "Test",
        "opt_out_confirmation": "Bye",
        "opt_in_confirmation": "Hi",
        "opt_in_question": "OK?",
        "keywords-TOTAL_FORMS": 1,
        "keywords-INITIAL_FORMS": 0,
        "keywords-0-id": "",
        "keywords-0-language": language.pk,
        "keywords-0-word": "halt",
        "keywords-0-action": "opt_out",
    }

    response = client.post(f"/admin/consent/keywordlanguage/{language.pk}/change/", posted)

    assert response.status_code == 302, response.context["errors"] if response.context else response
    added = only_entry("config.added")
    assert added.content_type.model == "consentkeyword"
    keyword = ConsentKeyword.objects.get(language=language)
    assert (added.object_id, added.object_label) == (str(keyword.pk), "HALT (opt out)")
    assert added.changes["word"] == {"old": None, "new": "HALT"}  # as stored
    assert entries("config.changed") == []  # the language itself did not change


def test_secrets_are_recorded_as_changed_never_with_their_values():
    client, _ = superuser_client()

    client.post(
        "/admin/auth/user/add/",
        {"username": "newcomer", "usable_password": "true", "password1": "Xq-9-secret", "password2": "Xq-9-secret"},
    )
    newcomer = User.objects.get(username="newcomer")
    newcomer.set_password("Second-secret-77")
    newcomer.save()
    entry = record_audit_entry(
        action=AuditAction.CONFIG_CHANGED,
        target=newcomer,
        changes={
            "access_token": ("EAAG-old", "EAAG-new"),
            "app_secret": ("s1", "s2"),
            "verify_token": ("v1", "v2"),
            "api_key": ("k1", "k2"),
            "keyword": ("stop", "halt"),
        },
    )

    assert only_entry("config.added").changes["password1"] == "changed"
    assert entries("password.changed")[-1].changes == {"password": "changed"}
    assert {
        name: entry.changes[name] for name in ("access_token", "app_secret", "verify_token", "api_key")
    } == dict.fromkeys(("access_token", "app_secret", "verify_token", "api_key"), "changed")
    assert entry.changes["keyword"] == {"old": "stop", "new": "halt"}  # a word that merely contains "key"
    everything = json.dumps(list(AuditEntry.objects.values()), default=str)
    for secret in ("Xq-9-secret", "Second-secret-77", newcomer.password, "EAAG", '"s1"', '"v2"', '"k1"'):
        assert secret not in everything


def test_a_business_numbers_secrets_are_never_in_the_log_only_that_they_changed():
    client, _ = superuser_client()
    posted = {
        "display_phone_number": "+1 555 010 0200",
        "phone_number_id": "301122334455667",
        "waba_id": "102290129340398",
        "messages_per_second": "80",
        "is_active": "on",
        "access_token": "EAAG-first-token",
        "app_secret": "first-app-secret",
        "verify_token": "first-verify-token",
    }

    assert client.post("/admin/channels_whatsapp/businessnumber/add/", posted).status_code == 302
    number = BusinessNumber.objects.get(phone_number_id="301122334455667")
    changed = posted | {"messages_per_second": "40", "access_token": "EAAG-second-token", "app_secret": ""}
    changed.pop("verify_token")
    assert client.post(f"/admin/channels_whatsapp/businessnumber/{number.pk}/change/", changed).status_code == 302

    added = only_entry("config.added")
    assert {name: added.changes[name] for name in ("access_token", "app_secret", "verify_token")} == dict.fromkeys(
        ("access_token", "app_secret", "verify_token"), "changed"
    )
    assert only_entry("config.changed").changes == {
        "messages_per_second": {"old": 80, "new": 40},
        "access_token": "changed",
    }
    everything = json.dumps(list(AuditEntry.objects.values()), default=str)
    for secret in ("EAAG", "first-app-secret", "first-verify-token"):
        assert secret not in everything


def test_role_and_permission_changes_are_recorded_whoever_makes_them():
    client, person = superuser_client()
    colleague = UserFactory(is_staff=False)

    client.post(change_url(colleague), form_data(colleague, is_staff="on", groups=[Group.objects.get(name=AGENT).pk]))
    admins = Group.objects.get(name=ADMIN)
    admins.permissions.add(Permission.objects.get(codename="delete_wrapup"))  # a shell, a migration: no one

    flags, groups = entries("role.changed")
    assert flags.changes == {"is_staff": {"old": False, "new": True}}
    assert groups.changes == {"groups": {"added": [AGENT]}}
    for entry in (flags, groups):
        assert_from_the_test_client(entry, person)
        assert (entry.object_id, entry.object_label) == (str(colleague.pk), colleague.username)
    granted = only_entry("permission.changed")
    assert (granted.user, granted.object_label, granted.address) == (None, ADMIN, None)
    assert granted.changes == {"permissions": {"added": ["Routing | wrap up | Can delete wrap up"]}}
    assert entries("config.changed") == []  # the user form changed only roles, recorded above

    colleague.groups.clear()
    assert entries("role.changed")[-1].changes == {"groups": {"removed": [AGENT]}}


def test_consent_changes_and_erasure_are_recorded_without_the_customers_number():
    client, person = superuser_client()
    customer = ChannelUserFactory()
    recorder = agent()
    record_consent(
        channel_user=customer,
        status=ConsentStatus.OPTED_IN,
        method=ConsentMethod.PAPER_FORM,
        recorded_by=recorder,
        note="Form 12, filed",
    )
    record_consent(channel_user=customer, status=ConsentStatus.OPTED_OUT, method=ConsentMethod.KEYWORD)

    client.post(
        "/admin/consent/consentrecord/",
        {
            "action": "erase_history",
            "_selected_action": [record.pk for record in ConsentRecord.objects.filter(channel_user=customer)],
            "reason": "Request by email, 2026-12-01",
        },
    )

    opted_in, opted_out = entries("consent.changed")
    assert (opted_in.user, opted_in.changes["status"]) == (recorder, {"old": None, "new": "opted_in"})
    assert (opted_out.user, opted_out.changes["status"]) == (None, {"old": "opted_in", "new": "opted_out"})
    erased = only_entry("customer.erased")
    assert ConsentErasure.objects.filter(channel_user=customer).exists()
    assert_from_the_test_client(erased, person)
    assert erased.changes["removed"]["consent_records"] == 2
    assert erased.changes["reason"] == "Request by email, 2026-12-01"
    for entry in (opted_in, opted_out, erased):
        assert (entry.object_id, entry.object_label) == (str(customer.pk), f"Customer #{customer.pk}")
    assert customer.external_id not in json.dumps(list(AuditEntry.objects.values()), default=str)


def test_exports_are_recorded():
    reader = manager()
    client = Client(**FROM)
    client.force_login(reader)

    assert client.get("/api/v1/consent/export/").status_code == 200

    export = only_entry("export")
    assert_from_the_test_client(export, reader)
    assert export.object_label == "Consent records (CSV)"


def test_sign_in_sign_out_and_failed_sign_in_are_recorded():
    person = UserFactory(is_staff=True)
    client = Client(**FROM)

    client.post("/login/", {"username": person.username, "password": "wrong"})
    client.post("/login/", {"username": "nobody-by-that-name", "password": "wrong"})
    client.post("/login/", {"username": person.username, "password": "password"})
    client.post("/logout/")

    failed, unknown = entries("login.failed")
    assert (failed.user, failed.object_id, failed.object_label) == (None, str(person.pk), person.username)
    assert (failed.address, failed.user_agent) == ("198.51.100.7", "Firefox/140 (audit test)")
    assert (unknown.object_id, unknown.object_label) == ("", "nobody-by-that-name")
    assert_from_the_test_client(only_entry("login"), person)
    assert_from_the_test_client(only_entry("logout"), person)


def test_the_first_sign_in_refused_while_locked_out_is_recorded_and_no_more_in_that_window():
    person = UserFactory(is_staff=True)
    client = Client(REMOTE_ADDR="198.51.100.8")

    for _ in range(settings.LOGIN_FAILURE_LIMIT + 5):
        client.post("/login/", {"username": person.username, "password": "wrong"})

    *failed, refused = entries("login.failed")
    assert len(failed) == settings.LOGIN_FAILURE_LIMIT
    assert all(entry.changes != {"refused": "locked out"} for entry in failed)
    assert (refused.object_label, refused.changes) == (person.username, {"refused": "locked out"})


@override_settings(LOGIN_FAILURE_LIMIT_PER_ADDRESS=4)
def test_an_address_failing_for_many_usernames_is_locked_out_for_every_username():
    people = [UserFactory(is_staff=True) for _ in range(5)]
    spray = Client(REMOTE_ADDR="203.0.113.50")

    for person in people[:4]:
        spray.post("/login/", {"username": person.username, "password": "wrong"})
    refused = spray.post("/login/", {"username": people[4].username, "password": "password"})
    elsewhere = Client(REMOTE_ADDR="203.0.113.51").post(
        "/login/", {"username": people[4].username, "password": "password"}
    )

    assert refused.status_code == 200 and "Too many failed sign-ins from your address" in refused.content.decode()
    assert elsewhere.status_code == 302


def test_admins_read_the_log_and_nobody_changes_it_in_the_admin():
    client, person = superuser_client()
    entry = record_audit_entry(action=AuditAction.EXPORT, user=person, target_label="Consent records (CSV)")
    admin_role = UserFactory(role=ADMIN, is_staff=True)
    admin_client = Client()
    admin_client.force_login(admin_role)

    listing = client.get("/admin/audit/auditentry/?action__exact=export")
    detail = client.get(f"/admin/audit/auditentry/{entry.pk}/change/")

    assert listing.status_code == 200 and "Consent records (CSV)" in listing.content.decode()
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert admin_client.get("/admin/audit/auditentry/").status_code == 200
    day = localtime(entry.recorded_at)
    filters = [
        f"user__id__exact={person.pk}",
        "q=Consent+records",
        f"content_type__isnull=True&recorded_at__year={day.year}&recorded_at__month={day.month}&recorded_at__day={day.day}",
    ]
    for query in filters:  # a filter the admin does not know would redirect (?e=1), without the entry
        assert "Consent records (CSV)" in client.get(f"/admin/audit/auditentry/?{query}").content.decode()
    assert "Consent records (CSV)" not in client.get("/admin/audit/auditentry/?action__exact=login").content.decode()
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    assert client.get(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"action": "login"}).status_code == 403
    deleting = {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    client.post("/admin/audit/auditentry/", deleting)
    assert AuditEntry.objects.get(pk=entry.pk).action == "export"


def test_managers_and_agents_cannot_read_the_log():
    entry = record_audit_entry(action=AuditAction.EXPORT, target_label="Consent records (CSV)")
    for person, refused in ((manager(), 403), (agent(is_staff=True), 403), (agent(), 302)):
        client = Client()
        client.force_login(person)
        assert client.get("/admin/audit/auditentry/").status_code == refused
        assert client.get(f"/admin/audit/auditentry/{entry.pk}/change/").status_code == refused


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_the_database_refuses_to_change_or_delete_an_entry_except_for_retention():
    entry = record_audit_entry(action=AuditAction.EXPORT, target_label="Consent records (CSV)")

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(object_label="nothing to see")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL audit.allow_delete = 'on'")
        AuditEntry.objects.filter(pk=entry.pk).delete()

    assert not AuditEntry.objects.filter(pk=entry.pk).exists()
