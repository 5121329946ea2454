"""API tokens: made with a signed-in session (API or admin), shown once and stored as a hash, sent as
`Authorization: Bearer …`, listed, revoked and expiring; each creation and revocation is an audit entry."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from interactions.roles import ADMIN
from security.api_tokens import possible_token_owners, refusal_of_owner
from security.models import ApiToken
from tests.factories import UserFactory, agent, manager

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bearer(key: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {key}"})


def make_token(creator, **fields) -> dict:
    answer = signed_in(creator).post("/api/v1/api-tokens/", {"name": "CRM", **fields}, content_type="application/json")
    assert answer.status_code == 201, answer.content
    return answer.json()


def audit_events(token_id: int) -> list[str]:
    entries = AuditEntry.objects.filter(content_type__model="apitoken", object_id=str(token_id)).order_by("pk")
    return [entry.changes["event"] for entry in entries]


def test_a_token_is_shown_once_stored_as_a_hash_and_signs_its_user_in():
    person = agent()

    made = make_token(person)
    stored = ApiToken.objects.get(pk=made["id"])
    answer = bearer(made["token"]).get("/api/v1/interactions/")

    assert made["token"].startswith("wdk_") and made["prefix"] == made["token"][:10]
    assert made["token"] not in str(ApiToken.objects.filter(pk=stored.pk).values().get())  # only its SHA-256
    assert answer.status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_at is not None
    listed = signed_in(person).get("/api/v1/api-tokens/").json()["results"]
    assert [row["id"] for row in listed] == [made["id"]] and "token" not in listed[0]
    assert audit_events(made["id"]) == ["API token created"]


def test_a_revoked_token_stops_at_once_and_the_revocation_is_audited():
    person = agent()
    made = make_token(person)

    revoked = signed_in(person).post(f"/api/v1/api-tokens/{made['id']}/revoke/")
    again = signed_in(person).post(f"/api/v1/api-tokens/{made['id']}/revoke/")
    refused = bearer(made["token"]).get("/api/v1/interactions/")

    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert again.status_code == 200
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert refused["WWW-Authenticate"] == "Bearer"
    assert audit_events(made["id"]) == ["API token created", "API token revoked"]  # once, not twice


def test_an_expired_token_is_refused():
    made = make_token(agent())
    ApiToken.objects.filter(pk=made["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert bearer(made["token"]).get("/api/v1/interactions/").status_code == 401


def test_a_token_of_a_deactivated_user_is_refused():
    person = agent()
    made = make_token(person)
    person.is_active = False
    person.save()

    assert bearer(made["token"]).get("/api/v1/interactions/").status_code == 401


def test_unknown_and_malformed_tokens_are_refused_with_a_reason():
    assert bearer("wdk_not-a-token").get("/api/v1/interactions/").status_code == 401
    malformed = Client(headers={"Authorization": "Bearer two words"}).get("/api/v1/interactions/")
    assert malformed.status_code == 401 and "Bearer <token>" in malformed.json()["detail"]


def test_every_token_expires_within_the_maximum_lifetime():
    person = agent()
    default = make_token(person)
    too_far = signed_in(person).post(
        "/api/v1/api-tokens/",
        {"name": "forever", "expires_at": (timezone.now() + timedelta(days=10_000)).isoformat()},
        content_type="application/json",
    )
    past = signed_in(person).post(
        "/api/v1/api-tokens/", {"name": "past", "expires_at": "2001-01-01T00:00:00Z"}, content_type="application/json"
    )

    lifetime = ApiToken.objects.get(pk=default["id"]).expires_at - timezone.now()
    assert timedelta(days=settings.API_TOKEN_DEFAULT_LIFETIME_DAYS - 1) < lifetime
    assert lifetime <= timedelta(days=settings.API_TOKEN_DEFAULT_LIFETIME_DAYS)
    assert too_far.status_code == 400 and "at most" in too_far.json()["expires_at"][0]
    assert past.status_code == 400 and "future" in past.json()["expires_at"][0]


def test_a_token_cannot_make_another():
    made = make_token(agent())

    answer = bearer(made["token"]).post("/api/v1/api-tokens/", {"name": "successor"}, content_type="application/json")

    assert answer.status_code == 403 and ApiToken.objects.count() == 1


def test_people_see_and_revoke_their_own_tokens_and_admins_everyones():
    ana, ben, boss = agent(), manager(), UserFactory(role=ADMIN)
    anas, bens = make_token(ana), make_token(ben)

    assert [row["id"] for row in signed_in(ben).get("/api/v1/api-tokens/").json()["results"]] == [bens["id"]]
    assert signed_in(ben).post(f"/api/v1/api-tokens/{anas['id']}/revoke/").status_code == 404
    assert {row["id"] for row in signed_in(boss).get("/api/v1/api-tokens/").json()["results"]} == {
        anas["id"],
        bens["id"],
    }
    assert signed_in(boss).post(f"/api/v1/api-tokens/{anas['id']}/revoke/").status_code == 200
    for_ana = signed_in(boss).post(
        "/api/v1/api-tokens/", {"name": "for Ana", "user": ana.pk}, content_type="application/json"
    )
    assert for_ana.status_code == 201 and for_ana.json()["username"] == ana.username
    by_ben = signed_in(ben).post("/api/v1/api-tokens/", {"name": "x", "user": ana.pk}, content_type="application/json")
    assert by_ben.status_code == 403


def test_someone_without_a_role_gets_no_token():
    answer = signed_in(UserFactory()).post("/api/v1/api-tokens/", {"name": "x"}, content_type="application/json")

    assert answer.status_code == 403


def test_an_admin_makes_a_token_in_the_admin_sees_it_once_and_revokes_it():
    boss, person = UserFactory(role=ADMIN, is_staff=True), agent()
    client = signed_in(boss)
    expires = (timezone.localtime() + timedelta(days=30)).replace(microsecond=0)

    shown = client.post(
        "/admin/security/apitoken/add/",
        {"user": person.pk, "name": "Billing", "expires_at_0": expires.date(), "expires_at_1": expires.time()},
    )
    key = shown.context["issued"].key
    token = ApiToken.objects.get()
    listed = client.get("/admin/security/apitoken/").content.decode()
    revoked = client.post("/admin/security/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})

    assert shown.status_code == 200 and key in shown.content.decode() and "no-store" in shown["Cache-Control"]
    assert token.user == person and token.created_by == boss and token.expires_at == expires
    assert token.prefix in listed and key not in listed
    assert revoked.status_code == 302
    assert token.prefix in client.get("/admin/security/apitoken/?status=revoked").content.decode()
    assert token.prefix not in client.get("/admin/security/apitoken/?status=active").content.decode()
    assert bearer(key).get("/api/v1/interactions/").status_code == 401
    assert audit_events(token.pk) == ["API token created", "API token revoked"]


def test_an_agent_cannot_open_the_tokens_admin():
    client = signed_in(agent(is_staff=True))

    assert client.get("/admin/security/apitoken/").status_code in (302, 403)


def test_the_token_endpoints_and_scheme_are_in_the_openapi_schema():
    schema = Client().get("/api/schema/?format=json").json()

    assert {"get", "post"} <= set(schema["paths"]["/api/v1/api-tokens/"])
    assert "post" in schema["paths"]["/api/v1/api-tokens/{id}/revoke/"]
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"


def test_an_admin_makes_no_token_for_a_peer_admin_a_superuser_or_someone_without_a_role():
    boss = UserFactory(role=ADMIN, is_staff=True)
    peer, root, nobody = UserFactory(role=ADMIN), UserFactory(is_superuser=True), UserFactory()

    answers = {
        who: signed_in(boss).post("/api/v1/api-tokens/", {"name": "x", "user": who.pk}, content_type="application/json")
        for who in (peer, root, nobody)
    }

    assert answers[peer].status_code == 403 and "neither superusers nor admins" in answers[peer].json()["detail"]
    assert answers[root].status_code == 403 and "neither superusers nor admins" in answers[root].json()["detail"]
    assert answers[nobody].status_code == 403 and "agents, managers and admins" in answers[nobody].json()["detail"]
    assert ApiToken.objects.count() == 0


def test_a_superuser_makes_a_token_for_an_admin_and_an_admin_for_itself_and_a_manager():
    root, boss, boss2 = UserFactory(is_superuser=True), UserFactory(role=ADMIN), UserFactory(role=ADMIN)

    by_root = make_token(root, user=boss2.pk)
    own = make_token(boss, user=boss.pk)
    for_manager = make_token(boss, user=manager().pk)

    assert by_root["username"] == boss2.username and own["username"] == boss.username
    assert ApiToken.objects.get(pk=for_manager["id"]).user.groups.filter(name="manager").exists()


def test_the_admin_form_offers_and_accepts_only_people_the_admin_may_make_a_token_for():
    boss = UserFactory(role=ADMIN, is_staff=True)
    person, peer, root, nobody = agent(), UserFactory(role=ADMIN), UserFactory(is_superuser=True), UserFactory()
    client = signed_in(boss)
    expires = (timezone.localtime() + timedelta(days=30)).replace(microsecond=0)

    offered = set(client.get("/admin/security/apitoken/add/").context["adminform"].form.fields["user"].queryset)
    refused = client.post(
        "/admin/security/apitoken/add/",
        {"user": peer.pk, "name": "take-over", "expires_at_0": expires.date(), "expires_at_1": expires.time()},
    )

    assert offered == {boss, person}
    assert root not in offered and nobody not in offered
    assert refused.status_code == 200 and "neither superusers nor admins" in refused.content.decode()
    assert ApiToken.objects.count() == 0


def test_the_admin_forms_choices_and_the_apis_rule_agree():
    people = [
        UserFactory(role=ADMIN, is_staff=True),
        UserFactory(is_superuser=True),
        UserFactory(role=ADMIN),
        agent(),
        manager(),
        UserFactory(),
        agent(is_active=False),
    ]
    for creator in people[:2]:
        offered = set(possible_token_owners(creator))
        assert offered == {owner for owner in people if refusal_of_owner(creator=creator, owner=owner) is None}
