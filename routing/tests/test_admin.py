"""Routing's admin pages, driven as an admin (not a superuser) would: queues refuse a wrong time zone, schedule,
placeholder or interval and keep exactly one default queue; rules are checked per condition; the rules can be
tried out; managers read but do not change. And the demo seed, run twice."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from interactions.audience import groups_for_user
from interactions.roles import ADMIN
from interactions.tests.test_user_admin import change_url as user_change_url
from interactions.tests.test_user_admin import form_data as user_form
from routing.models import AgentProfile, Queue, RejectReason, ResolutionCode, RoutingRule, RuleCondition
from routing.services.queueing import route_interaction
from routing.tests.factories import QueueFactory, RoutingRuleFactory, customer_writes
from tests.factories import UserFactory, agent, manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(role=ADMIN, is_staff=True))
    return client


def queue_form(**changes) -> dict:
    data = {
        "name": "Billing",
        "key": "billing",
        "description": "",
        "priority": 3,
        "time_zone": "Europe/Berlin",
        "business_hours": json.dumps({"mon": [["09:00", "17:00"]]}),
        "out_of_hours_message": "We are closed.",
        "waiting_message": "You are number {position}.",
        "waiting_message_interval_minutes": 5,
        "transfer_message": "",
        "offer_timeout_seconds": "",
        "holidays-TOTAL_FORMS": 0,
        "holidays-INITIAL_FORMS": 0,
        "holidays-MIN_NUM_FORMS": 0,
        "holidays-MAX_NUM_FORMS": 1000,
    }
    return {key: value for key, value in {**data, **changes}.items() if value is not None}


def form_errors(answer) -> dict:
    assert answer.status_code == 200, answer.status_code  # the form again, not a redirect
    return answer.context["adminform"].form.errors


def test_the_first_queue_must_be_the_default_one(admin_client):
    refused = admin_client.post("/admin/routing/queue/add/", queue_form())
    saved = admin_client.post("/admin/routing/queue/add/", queue_form(is_default="on"))

    assert form_errors(refused) == {"is_default": ["There is no default queue yet: make this one the default."]}
    assert saved.status_code == 302
    assert Queue.objects.get().is_default


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"time_zone": "Berlin"}, "time_zone", "'Berlin' is not a time zone"),
        ({"business_hours": json.dumps({"mon": [["09:00", "12:00"], ["11:00", "17:00"]]})}, "business_hours",
         "mon: 09:00-12:00 and 11:00-17:00 overlap."),
        ({"business_hours": json.dumps({"monday": []})}, "business_hours", "Unknown weekday keys: monday"),
        ({"waiting_message": "Hi {name}, you are number {position}"}, "waiting_message", "remove {name}"),
        ({"waiting_message_interval_minutes": 0}, "waiting_message_interval_minutes", "At least one minute"),
    ],
)  # fmt: skip
def test_a_queue_written_wrong_is_refused_with_the_reason_and_not_saved(admin_client, changes, field, problem):
    answer = admin_client.post("/admin/routing/queue/add/", queue_form(is_default="on", **changes))

    assert problem in " ".join(form_errors(answer)[field])
    assert not Queue.objects.exists()


def test_marking_another_queue_default_unmarks_the_first_and_the_only_default_cannot_be_unmarked(admin_client):
    general = QueueFactory(default=True)
    billing = QueueFactory(key="billing", name="Billing")

    general_form = queue_form(name="General", key="general")
    unmarked = admin_client.post(f"/admin/routing/queue/{general.pk}/change/", general_form)
    switched = admin_client.post(f"/admin/routing/queue/{billing.pk}/change/", queue_form(is_default="on"))

    assert form_errors(unmarked) == {
        "is_default": ["There must be a default queue: mark another queue as the default instead."]
    }
    assert switched.status_code == 302
    assert list(Queue.objects.filter(is_default=True)) == [billing]


def test_the_default_queue_cannot_be_deleted_while_others_exist(admin_client):
    general = QueueFactory(default=True)
    billing = QueueFactory(key="billing")

    assert admin_client.get(f"/admin/routing/queue/{general.pk}/delete/").status_code == 403
    assert admin_client.get(f"/admin/routing/queue/{billing.pk}/delete/").status_code == 200


def rule_form(queue: Queue, **changes) -> dict:
    return {"order": 10, "name": "Rule", "is_active": "on", "condition": RuleCondition.KEYWORD, "attribute": "",
            "value": "invoice", "queue": queue.pk, **changes}  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"condition": RuleCondition.LANGUAGE, "value": "German"},
         {"value": ["Not a language tag: German (write e.g. de, pt-BR)."]}),
        ({"condition": RuleCondition.CUSTOMER_ATTRIBUTE, "value": "true"},
         {"attribute": ["Name the customer attribute to compare, e.g. vip."]}),
        ({"attribute": "vip"}, {"attribute": ["Only a customer attribute rule names an attribute; leave it empty."]}),
    ],
)  # fmt: skip
def test_a_rule_is_checked_for_its_condition(admin_client, changes, errors):
    queue = QueueFactory(default=True)

    refused = admin_client.post("/admin/routing/routingrule/add/", rule_form(queue, **changes))
    saved = admin_client.post("/admin/routing/routingrule/add/", rule_form(queue))

    assert form_errors(refused) == errors
    assert saved.status_code == 302 and RoutingRule.objects.get().value == "invoice"


def test_an_admin_tries_the_rules_on_a_made_up_customer(admin_client):
    QueueFactory(default=True)
    billing = QueueFactory(key="billing", name="Billing")
    RoutingRuleFactory(name="Billing questions", condition=RuleCondition.KEYWORD, value="invoice", queue=billing)

    matched = admin_client.get("/admin/routing/routingrule/try/", {"first_message": "My INVOICE!", "attributes": "{}"})
    unmatched = admin_client.get("/admin/routing/routingrule/try/", {"first_message": "Hello", "attributes": "{}"})
    wrong = admin_client.get("/admin/routing/routingrule/try/", {"attributes": "[1]"})

    assert "Rule “Billing questions” matches: queue Billing." in matched.content.decode()
    assert "No rule matches: the default queue, General." in unmatched.content.decode()
    assert "Write an object" in wrong.content.decode()
    assert "Try the rules" in admin_client.get("/admin/routing/routingrule/").content.decode()


def test_an_admin_sets_an_agents_capacity_and_a_manager_only_reads_the_configuration(admin_client):
    profile = AgentProfile.objects.create(user=agent())
    reader = Client()
    reader.force_login(manager())

    changed = admin_client.post(f"/admin/routing/agentprofile/{profile.pk}/change/", {"capacity": 5})

    assert changed.status_code == 302 and AgentProfile.objects.get().capacity == 5
    assert reader.get("/admin/routing/queue/").status_code == 200
    assert reader.get("/admin/routing/queue/add/").status_code == 403
    assert reader.post(f"/admin/routing/agentprofile/{profile.pk}/change/", {"capacity": 9}).status_code == 403


def test_the_demo_seed_is_idempotent_and_its_rules_route_as_described(committing):
    call_command("seed_demo")
    call_command("seed_routing_demo")
    call_command("seed_routing_demo")

    assert sorted(Queue.objects.values_list("key", flat=True)) == ["billing", "general", "german", "sales", "vip"]
    assert list(Queue.objects.filter(is_default=True).values_list("key", flat=True)) == ["general"]
    assert RoutingRule.objects.count() == 4 and RejectReason.objects.count() == 4
    assert ResolutionCode.objects.filter(is_active=True).count() == 5  # a closed chat can be wrapped up
    assert sorted(AgentProfile.objects.values_list("user__username", flat=True)) == ["agent1", "agent2"]
    assert Client().login(username="supervisor", password="supervisor")
    supervisor = get_user_model().objects.get(username="supervisor")
    assert supervisor.groups.filter(name="manager").exists() and supervisor.is_staff

    with committing():
        routed = {
            "vip": route_interaction(interaction=customer_writes("invoice", attributes={"vip": True}).interaction),
            "german": route_interaction(interaction=customer_writes("Hallo", language="de").interaction),
            "billing": route_interaction(interaction=customer_writes("Where is my invoice?").interaction),
            "general": route_interaction(interaction=customer_writes("My chair is broken").interaction),
        }
    assert {key: work_item.queue.key for key, work_item in routed.items()} == {key: key for key in routed}


def test_changing_who_serves_a_shared_queue_tells_those_who_served_it_and_those_who_do_now(
    admin_client, live_events, django_capture_on_commit_callbacks
):
    leaving, staying, joining = agent(), agent(), agent()
    shared = QueueFactory(key="billing", is_default=True, agents_see_each_others_conversations=True)
    shared.agents.add(leaving, staying)

    with django_capture_on_commit_callbacks(execute=True):
        saved = admin_client.post(
            f"/admin/routing/queue/{shared.pk}/change/",
            queue_form(
                is_default="on",
                agents_see_each_others_conversations="on",
                agents=[staying.pk, joining.pk],
            ),
        )

    assert saved.status_code == 302
    assert live_events() == [
        ({f"user.{person.pk}" for person in (leaving, staying, joining)}, {"type": "audience.changed"})
    ]


@pytest.fixture
def superuser_client() -> Client:
    """Groups other than the roles are given and deleted by a superuser (an admin passes on only what it holds)."""
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_moving_an_agent_into_a_group_that_serves_a_shared_queue_tells_their_workspaces(
    superuser_client, live_events, django_capture_on_commit_callbacks
):
    billing_team = Group.objects.create(name="billing team")
    QueueFactory(key="billing", agents_see_each_others_conversations=True).groups.add(billing_team)
    person = agent()
    assert groups_for_user(person) == {f"user.{person.pk}"}

    with django_capture_on_commit_callbacks(execute=True):
        saved = superuser_client.post(
            user_change_url(person), user_form(person, groups=[*user_form(person)["groups"], billing_team.pk])
        )

    assert saved.status_code == 302
    assert live_events() == [({f"user.{person.pk}"}, {"type": "audience.changed"})]
    assert groups_for_user(person) == {f"user.{person.pk}", "queue.billing"}  # what their sockets join now


def test_a_users_change_that_leaves_what_they_see_alone_tells_nobody(
    superuser_client, live_events, django_capture_on_commit_callbacks
):
    person = agent()

    with django_capture_on_commit_callbacks(execute=True):
        saved = superuser_client.post(user_change_url(person), user_form(person, first_name="Renamed"))

    assert saved.status_code == 302
    assert live_events() == []


def test_deleting_a_group_tells_its_members(superuser_client, live_events, django_capture_on_commit_callbacks):
    billing_team = Group.objects.create(name="billing team")
    QueueFactory(agents_see_each_others_conversations=True).groups.add(billing_team)
    members = [agent(), agent()]
    billing_team.user_set.add(*members)

    with django_capture_on_commit_callbacks(execute=True):
        deleted = superuser_client.post(f"/admin/auth/group/{billing_team.pk}/delete/", {"post": "yes"})

    assert deleted.status_code == 302
    assert live_events() == [({f"user.{member.pk}" for member in members}, {"type": "audience.changed"})]
