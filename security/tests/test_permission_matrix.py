"""Who may open what: every page, every API endpoint, every admin page and the workspace's live socket, for each
role (anonymous, a signed-in user without a role, agent, manager, admin), allowed or refused.

The URL resolver is walked, so a new address that nobody classified here fails `test_every_address_is_classified`:
whoever adds it decides, in this table, who may use it. Each cell is one of
  A allowed (the view ran: 2xx, a redirect elsewhere than sign-in, or its own 400/409/415/502),
  R refused (401, 403, or sent to sign in),
  N not found (404: hidden from that role, or the object the address names does not exist),
  - not served for that method (405),
for (anonymous, no role, agent, manager, admin). Object addresses name an interaction assigned to the agent, its
customer and one of its messages; other ids name nothing (NOTHING), so for those the table says who gets past the gate.
"""

import re

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import URLResolver, get_resolver

from interactions.consumers import WorkspaceConsumer
from interactions.roles import ADMIN
from interactions.tests.test_workspace_socket import in_own_event_loop
from tests.factories import InteractionFactory, MessageFactory, UserFactory, agent_holding, manager

ROLES = ("anonymous", "no role", "agent", "manager", "admin")
NOTHING = "987654321"  # an id no row has, whichever tests ran before (sequences are not reset between tests)

# route: (GET, POST)
ADDRESSES = {
    "": ("AAAAA", "AAAAA"),  # redirects to the workspace, which asks to sign in
    "workspace/": ("RRAAA", "RRAAA"),
    "supervisor/": ("RRRAA", "RRRAA"),
    "api/v1/routing/supervisor/": ("RRRAA", "RRR--"),
    "api/v1/routing/supervisor/reassign/": ("RRR--", "RRRAA"),
    "api/v1/routing/supervisor/agents/<int:pk>/presence/": ("RRR--", "RRRNN"),
    "api/v1/routing/supervisor/whisper/": ("RRR--", "RRRAA"),
    "api/v1/interactions/<int:pk>/routing-history/": ("RNAAA", "R----"),
    "healthz/": ("AAAAA", "AAAAA"),
    "help/articles/<int:pk>/<slug:slug>/": ("NNNNN", "-----"),  # public
    "help/article-feedback/<int:pk>/": ("-----", "NNNNN"),  # public
    "help/community/<int:pk>/": ("NNNNN", "-----"),  # public
    "login/": ("AAAAA", "AAAAA"),
    "account/two-factor/": ("RAAAA", "RAAAA"),  # anyone signed in may turn it on for themselves
    "logout/": ("-----", "RRRRR"),  # signs out, then asks to sign in
    "webhooks/whatsapp/": ("RRRRR", "RRRRR"),  # Meta's only: the verify token and the signature
    "api/v1/interactions/<int:pk>/transfer/": ("R----", "RNAAA"),
    "api/v1/routing/queues/": ("RRAAA", "R----"),
    "api/v1/interactions/<int:pk>/virtual-agent/": ("R----", "RRARR"),
    "api/v1/virtual-agent/topics/": ("RRAAA", "R----"),
    "api/v1/interactions/<int:pk>/wrap-up/": ("RNNNN", "RNARR"),
    "api/v1/routing/resolution-codes/": ("RRAAA", "R----"),
    "api/v1/routing/wrap-ups/due/": ("RRAAA", "R----"),
    "api/v1/routing/me/": ("RRARR", "R----"),
    "api/v1/routing/me/presence/": ("R----", "RRARR"),
    "api/v1/routing/offers/": ("RRARR", "R----"),
    "api/v1/routing/offers/<int:pk>/accept/": ("R----", "RRNRR"),
    "api/v1/routing/offers/<int:pk>/reject/": ("R----", "RRNRR"),
    "api/v1/routing/reject-reasons/": ("RRARR", "R----"),
    "api/v1/routing/agents/": ("RRAAA", "R----"),
    "api/v1/interactions/<int:pk>/customer/": ("RNAAA", "R----"),
    "api/v1/interactions/<int:pk>/customer/contact/": ("R----", "R----"),  # PATCH only
    "api/v1/interactions/<int:pk>/cases/": ("R----", "RNARR"),
    "api/v1/interactions/<int:pk>/cases/link/": ("R----", "RNARR"),
    "api/v1/interactions/<int:pk>/cases/<int:case_id>/state/": ("R----", "RNARR"),
    "api/v1/interactions/<int:pk>/cases/<int:case_id>/comments/": ("RNNNN", "RNARR"),
    "api/v1/interactions/<int:pk>/catalog-requests/": ("R----", "RNARR"),
    "api/v1/customer-service/answers/": ("RRAAA", "R----"),
    "api/v1/customer-service/contacts/": ("RRAAA", "R----"),
    "api/v1/customer-service/catalog/": ("RRAAA", "R----"),
    "api/v1/interactions/<int:pk>/canned-responses/": ("RNAAA", "R----"),
    "api/v1/interactions/<int:pk>/quick-actions/": ("RNAAA", "R----"),
    "api/v1/interactions/<int:pk>/quick-actions/<slug:key>/": ("R----", "RNNRR"),
    "api/v1/canned-responses/": ("RRARR", "RRARR"),
    "api/v1/canned-responses/<int:pk>/": ("RRNRR", "R----"),
    "api/v1/canned-responses/placeholders/": ("RAAAA", "R----"),  # the names only, for the form
    "api/v1/api-tokens/": ("RRAAA", "RRAAA"),
    "api/v1/api-tokens/<int:pk>/revoke/": ("RR---", "RRNNN"),
    "api/v1/interactions/": ("RAAAA", "R----"),  # someone without a role lists nothing
    "api/v1/interactions/<int:pk>/": ("RNAAA", "R----"),
    "api/v1/interactions/<int:pk>/messages/": ("RNAAA", "RRARR"),
    "api/v1/interactions/<int:pk>/messages/<int:message_id>/retry/": ("R----", "RNARR"),
    "api/v1/interactions/<int:pk>/close/": ("R----", "RNARR"),
    "api/v1/interactions/<int:pk>/seen/": ("R----", "RNARR"),
    "api/v1/interactions/<int:pk>/hold/": ("R----", "RNARR"),
    "api/v1/interactions/<int:pk>/resume/": ("R----", "RNARR"),
    "api/v1/interactions/<int:pk>/notes/": ("R----", "RNAAA"),
    "api/v1/interactions/<int:pk>/attachments/": ("RNAAA", "RNARR"),
    "api/v1/messages/<int:pk>/link-preview/": ("RNNNN", "R----"),
    "api/v1/channel-users/": ("RRAAA", "R----"),
    "api/v1/channel-users/<int:pk>/outreach/": ("RRAAA", "R----"),
    "api/v1/outreach/": ("RRAAA", "R----"),
    "api/v1/channel-users/<int:pk>/consent/": ("RRAAA", "RRARR"),
    "api/v1/consent/export/": ("RRRAA", "R----"),
    "api/v1/interactions/<int:pk>/ask-consent/": ("R----", "RNARR"),
    "api/v1/interactions/<int:pk>/template-messages/": ("R----", "RNARR"),
    "api/v1/conversations/": ("R----", "RRARR"),
    "api/v1/templates/sync/": ("R----", "RRARA"),
    "api/v1/notifications/": ("R----", "RRARA"),
    "api/v1/^": ("RNNNN", "RNNNN"),  # any other address under the API
    "media/messages/<int:message_id>/": ("RNNNN", "-----"),
    "media/link-previews/<int:preview_id>/": ("RNNNN", "-----"),
    "api/schema/": ("AAAAA", "-----"),
    "reports/": ("RRRAA", "R----"),
    "reports/<slug:table>.csv": ("RRRNN", "R----"),  # no such table
    "api/v1/channel-users/<int:pk>/erasure/": ("RRRRA", "RRRRA"),
    "api/v1/channel-health/": ("RRAAA", "R----"),  # agents: only which numbers cannot send
    "api/docs/": ("AAAAA", "-----"),
}

# The admin, model by model: (list, add) for (anonymous, staff without a role, agent, manager, admin).
ADMIN_MODELS = {
    "security.ApiToken": ("RRRRA", "RRRRA"),
    "otp_totp.TOTPDevice": ("RRRRA", "RRRRR"),  # who has two-factor on; never the key
    "audit.AuditEntry": ("RRRRA", "RRRRR"),
    "properties.StoredProperty": (
        "RRRAA",
        "RNNNN",
    ),  # managers read the properties; nobody adds one (apps declare them)
    "auth.Group": ("RRRRR", "RRRRR"),
    "auth.User": ("RRRRA", "RRRRA"),
    "authtoken.TokenProxy": ("RRRRR", "RRRRR"),
    "interactions.ChannelUser": ("RRRAA", "RRRRR"),
    "interactions.Interaction": ("RRRAA", "RRRRR"),
    "interactions.Message": ("RRRAA", "RRRRR"),
    "interactions.MessageTemplate": ("RRRAA", "RRRRR"),
    "interactions.Notification": ("RRRAA", "RRRRR"),
    "interactions.ListenerRun": ("RRRRR", "RRRRR"),
    "routing.Skill": ("RRRAA", "RRRRA"),
    "routing.Queue": ("RRRAA", "RRRRA"),
    "routing.RoutingRule": ("RRRAA", "RRRRA"),
    "routing.AgentProfile": ("RRRAA", "RRRRR"),
    "routing.RejectReason": ("RRRAA", "RRRRA"),
    "routing.ResolutionCode": ("RRRAA", "RRRRA"),
    "routing.WrapUp": ("RRRAA", "RRRRR"),
    "consent.ConsentRecord": ("RRRAA", "RRRRR"),
    "consent.ConsentErasure": ("RRRAA", "RRRRR"),
    "consent.KeywordLanguage": ("RRRAA", "RRRRA"),
    "customer_service.CaseCategory": ("RRRAA", "RRRRA"),
    "customer_service.Case": ("RRRAA", "RRRRA"),
    "customer_service.CatalogCategory": ("RRRAA", "RRRRA"),
    "customer_service.CatalogItem": ("RRRAA", "RRRRA"),
    "customer_service.CatalogRequest": ("RRRAA", "RRRRR"),
    "customer_service.NotificationRule": ("RRRAA", "RRRRR"),  # one per event, seeded: changed, never added
    "customer_service.Account": ("RRRAA", "RRRRA"),
    "customer_service.Contact": ("RRRAA", "RRRRA"),
    "customer_service.ContactLink": ("RRRAA", "RRRRA"),
    "customer_service.KnowledgeCategory": ("RRRAA", "RRRRA"),
    "customer_service.KnowledgeArticle": ("RRRAA", "RRRRA"),
    "customer_service.CommunityQuestion": ("RRRAA", "RRRRA"),
    "virtual_agent.BusinessNumberSetting": ("RRRAA", "RRRRA"),
    "virtual_agent.Topic": ("RRRAA", "RRRRA"),
    "virtual_agent.CommandLanguage": ("RRRAA", "RRRRA"),
    "canned_responses.CannedResponse": ("RRRAA", "RRRRA"),
    "integrations.Subscription": ("RRRRA", "RRRRA"),
    "integrations.Delivery": ("RRRRA", "RRRRR"),
    "channels_whatsapp.BusinessNumber": ("RRRRA", "RRRRA"),
    "channels_whatsapp.WebhookDelivery": ("RRRRA", "RRRRR"),
    "channels_whatsapp.GroupMessage": ("RRRRA", "RRRRR"),
}
# Admin addresses besides each model's list, add, change, delete and history pages: (GET).
ADMIN_ADDRESSES = {
    "admin/": "RAAAA",  # staff without a permission see an empty index
    "admin/login/": "AAAAA",  # the sign-in form; staff without a permission are told so there
    "admin/logout/": "A----",
    "admin/password_change/": "RAAAA",
    "admin/password_change/done/": "RAAAA",
    "admin/autocomplete/": "RRRRR",  # asked without a field: refused for all
    "admin/jsi18n/": "RAAAA",
    "admin/r/<path:content_type_id>/<path:object_id>/": "RNNNN",
    "admin/routing/routingrule/try/": "RRRAA",
    "admin/auth/user/<id>/password/": "RRRRN",
    "admin/channels_whatsapp/businessnumber/<int:pk>/test-connection/": "R----",
    "admin/channels_whatsapp/businessnumber/<int:pk>/check-health/": "R----",
    "admin/properties/storedproperty/<str:key>/edit/": "RRRRN",  # no such property
    "admin/interactions/interaction/export.csv": "RRRAA",
    "admin/interactions/interaction/<int:pk>/transcript.html": "RNNAA",
}
ADMIN_MODEL_ROUTE = re.compile(
    r"^admin/(?P<app>\w+)/(?P<model>\w+)/(|add/|<path:object_id>/(|history/|delete/|change/))$"
)
ADMIN_SITE_ROUTES = {  # the site's own catch-alls
    r"admin/^(?P<app_label>",
    "admin/(?P<url>.*)$",
}


def every_route(patterns=None, prefix: str = ""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from every_route(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def admin_model_labels() -> dict[tuple[str, str], str]:
    return {(model._meta.app_label, model._meta.model_name): model._meta.label for model in admin.site._registry}


def test_every_address_is_classified():
    """A new URL fails here until this file says who may use it."""
    models = admin_model_labels()
    unclassified = []
    for route in every_route():
        if route in ADDRESSES or route in ADMIN_ADDRESSES or any(route.startswith(s) for s in ADMIN_SITE_ROUTES):
            continue
        found = ADMIN_MODEL_ROUTE.match(route)
        if found and (found["app"], found["model"]) in models:
            continue
        unclassified.append(route)

    assert not unclassified, "classify these in security/tests/test_permission_matrix.py: " + ", ".join(unclassified)
    assert set(models.values()) == set(ADMIN_MODELS), "classify every model admin in ADMIN_MODELS"


def outcome(response) -> str:
    status = response.status_code
    if status in (401, 403) or (status == 302 and "login" in response.get("Location", "")):
        return "R"
    return {404: "N", 405: "-"}.get(status, "A")


@pytest.fixture
def people(db):
    interaction = InteractionFactory()
    message = MessageFactory(interaction=interaction)
    users = {
        "anonymous": None,
        "no role": UserFactory(is_staff=True),
        "agent": agent_holding(interaction, is_staff=True),
        "manager": manager(),
        "admin": UserFactory(role=ADMIN, is_staff=True),
    }
    return users, interaction, message


def concrete(route: str, interaction, message) -> str:
    path = re.sub(r"<int:message_id>", str(message.pk), route)
    named = interaction.channel_user_id if route.startswith("api/v1/channel-users/") else interaction.pk
    path = re.sub(r"<int:pk>", str(named), path)
    return "/" + re.sub(r"<[^>]+>", NOTHING, path).replace("^", "nothing-here/")


def client_as(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_the_addresses_it_may(people, role):
    users, interaction, message = people
    client = client_as(users[role])
    column = ROLES.index(role)
    wrong = []
    for route, (on_get, on_post) in ADDRESSES.items():
        path = concrete(route, interaction, message)
        got = outcome(client.get(path)), outcome(client.post(path, {}, content_type="application/json"))
        if route == "logout/":
            client = client_as(users[role])  # signed out by that
        expected = on_get[column], on_post[column]
        if got != expected:
            wrong.append(f"{route}: expected GET {expected[0]} POST {expected[1]}, got GET {got[0]} POST {got[1]}")
    for route, on_get in ADMIN_ADDRESSES.items():
        got = outcome(client.get(concrete(route, interaction, message)))
        if got != on_get[column]:
            wrong.append(f"{route}: expected {on_get[column]}, got {got}")
    for label, (on_list, on_add) in ADMIN_MODELS.items():
        base = "/admin/{}/{}/".format(*label.lower().split("."))
        got = outcome(client.get(base)), outcome(client.get(base + "add/"))
        if got != (on_list[column], on_add[column]):
            wrong.append(f"{label}: expected list {on_list[column]} add {on_add[column]}, got {got[0]} {got[1]}")

    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db(transaction=True)
def test_the_workspace_socket_is_for_the_three_roles_only():
    users = {
        "anonymous": AnonymousUser(),
        "no role": UserFactory(),
        "agent": agent_holding(),
        "manager": manager(),
        "admin": UserFactory(role=ADMIN),
    }

    async def connects(user) -> bool:
        socket = WebsocketCommunicator(WorkspaceConsumer.as_asgi(), "/ws/workspace/")
        socket.scope["user"] = user
        connected, _ = await socket.connect()
        if connected:
            assert await socket.receive_json_from() == {"type": "hello"}
        await socket.disconnect()
        return connected

    accepted = {role: in_own_event_loop(lambda user=user: connects(user)) for role, user in users.items()}

    assert accepted == {"anonymous": False, "no role": False, "agent": True, "manager": True, "admin": True}
