"""Customer service in the admin, as an admin (not a superuser) uses it: cases open and change state through
their services, phone numbers are stored as channels spell them, catalog questions must be answerable, and
managers read without changing. And the demo seed, run twice."""

import pytest
from django.core.management import call_command
from django.test import Client

from customer_service.models import (
    Account,
    Case,
    CatalogItem,
    CatalogQuestion,
    CommunityQuestion,
    Contact,
    ContactPhone,
    KnowledgeArticle,
    QuestionKind,
)
from customer_service.services.cases import add_case_comment, open_case
from customer_service.services.contacts import contact_for
from customer_service.tests.factories import CatalogItemFactory
from interactions.roles import ADMIN
from tests.factories import ChannelUserFactory, UserFactory, agent, manager

pytestmark = pytest.mark.django_db

SEEDED = (KnowledgeArticle, CommunityQuestion, CatalogItem, CatalogQuestion, Account, Contact, ContactPhone)


@pytest.fixture
def admin_user():
    return UserFactory(role=ADMIN, is_staff=True)


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def with_inlines(data: dict, *prefixes: str, **rows: list[dict]) -> dict:
    """The form's data with each inline's management form (empty, or the rows given for a prefix)."""
    data = dict(data)
    for prefix in prefixes:
        given = rows.get(prefix, [])
        data |= {f"{prefix}-TOTAL_FORMS": len(given), f"{prefix}-INITIAL_FORMS": 0}
        for index, row in enumerate(given):
            data |= {f"{prefix}-{index}-{field}": value for field, value in row.items()}
    return data


CASE_INLINES = ("history", "comments", "interaction_links", "attachments")


def test_an_admin_opens_a_case_numbered_with_its_opening_in_the_history(admin_client, admin_user):
    customer = ChannelUserFactory()

    answer = admin_client.post(
        "/admin/customer_service/case/add/",
        with_inlines(
            {"short_description": "Broken armrest", "priority": 2, "state": "new", "channel_user": customer.pk},
            *CASE_INLINES,
        ),
    )

    assert answer.status_code == 302, answer.context["adminform"].form.errors
    case = Case.objects.get()
    assert case.number == "CS0001001" and case.opened_by == admin_user
    assert [(change.to_state, change.changed_by) for change in case.history.all()] == [("new", admin_user)]


def test_an_admin_changing_the_state_is_recorded_as_theirs(admin_client, admin_user):
    customer = ChannelUserFactory()
    admin_client.post(
        "/admin/customer_service/case/add/",
        with_inlines(
            {"short_description": "Broken armrest", "priority": 3, "state": "new", "channel_user": customer.pk},
            *CASE_INLINES,
        ),
    )
    case = Case.objects.get()

    admin_client.post(
        f"/admin/customer_service/case/{case.pk}/change/",
        with_inlines({"short_description": "Broken armrest (left)", "priority": 3, "state": "resolved"}, *CASE_INLINES),
    )

    case.refresh_from_db()
    assert (case.short_description, case.state) == ("Broken armrest (left)", "resolved")
    assert [(change.from_state, change.to_state, change.changed_by) for change in case.history.all()][-1] == (
        "new",
        "resolved",
        admin_user,
    )


def test_the_case_page_lists_its_comments_with_the_work_notes_marked(admin_client):
    case = open_case(short_description="Broken armrest", channel_user=ChannelUserFactory())
    add_case_comment(case, text="The left one.")
    add_case_comment(case, text="Supplier confirmed by phone.", author=agent(), internal=True)

    page = admin_client.get(f"/admin/customer_service/case/{case.pk}/change/")

    assert page.status_code == 200
    comments = page.context["inline_admin_formsets"][1]
    assert [(form.original.text, form.original.internal) for form in comments] == [
        ("The left one.", False),
        ("Supplier confirmed by phone.", True),
    ]
    assert "Work note" in page.content.decode()


def test_a_case_without_any_customer_is_refused(admin_client):
    answer = admin_client.post(
        "/admin/customer_service/case/add/",
        with_inlines({"short_description": "Nobody's", "priority": 3, "state": "new"}, *CASE_INLINES),
    )

    assert answer.status_code == 200
    assert "A case belongs to a customer, a contact or an account." in str(answer.context["adminform"].form.errors)
    assert not Case.objects.exists()


def test_a_contacts_phone_is_stored_as_the_channel_spells_it_and_nonsense_is_refused(admin_client):
    contact = {"first_name": "Daniel", "last_name": "Weber", "email": "", "job_title": ""}

    saved = admin_client.post(
        "/admin/customer_service/contact/add/",
        with_inlines(contact, "phones", phones=[{"number": "+49 151 1234 5678", "label": "mobile"}]),
    )
    refused = admin_client.post(
        "/admin/customer_service/contact/add/",
        with_inlines(contact, "phones", phones=[{"number": "call me", "label": ""}]),
    )

    assert saved.status_code == 302
    assert list(ContactPhone.objects.values_list("number", flat=True)) == ["4915112345678"]
    assert refused.status_code == 200 and "with its country code" in refused.content.decode()


@pytest.mark.parametrize(
    ("kind", "fields", "problem"),
    [
        (QuestionKind.CHOICE, {"choices": '["Only one"]'}, "needs at least two choices"),
        (QuestionKind.CHOICE, {"choices": '["Grey", "grey"]'}, "Each choice must differ"),
        (QuestionKind.TEXT, {"choices": '["A", "B"]'}, "Only choice questions have choices"),
        (QuestionKind.NUMBER, {"min_value": "5", "max_value": "1"}, "catalog_question_number_range"),
        (QuestionKind.TEXT, {"min_days_ahead": "1"}, "Only date questions have an earliest or latest day"),
    ],
)
def test_a_catalog_question_that_cannot_be_answered_is_refused(admin_client, kind, fields, problem):
    item = CatalogItemFactory()
    question = {"position": 1, "label": "Which?", "kind": kind, "required": "on", "choices": "[]", **fields}

    answer = admin_client.post(
        f"/admin/customer_service/catalogitem/{item.pk}/change/",
        with_inlines(
            {"category": item.category_id, "name": item.name, "description": "", "is_active": "on", "position": 0},
            "questions",
            questions=[question],
        ),
    )

    assert answer.status_code == 200
    assert problem in answer.content.decode()
    assert not CatalogQuestion.objects.exists()


def test_a_manager_reads_cases_and_articles_but_changes_nothing():
    client = Client()
    client.force_login(manager())

    assert client.get("/admin/customer_service/case/").status_code == 200
    assert client.get("/admin/customer_service/knowledgearticle/").status_code == 200
    assert client.get("/admin/customer_service/knowledgearticle/add/").status_code == 403


def test_the_demo_seed_runs_twice_to_the_same_data():
    call_command("seed_customer_service_demo")
    counts = {model.__name__: model.objects.count() for model in SEEDED}
    call_command("seed_customer_service_demo")

    assert {model.__name__: model.objects.count() for model in SEEDED} == counts
    assert counts["KnowledgeArticle"] >= 30
    daniel = ChannelUserFactory(external_id="4915112345678")
    assert contact_for(daniel).full_name == "Daniel Weber"
    assert contact_for(ChannelUserFactory(external_id="447700900123")).account.name == "Raman Consulting Ltd"
