"""The side panel's API: the customer as customer service knows them, cases opened and linked from the
conversation, answers to share, and catalog requests made for the customer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from customer_service.demo_data import seed_customer_service_demo
from customer_service.models import Case, CaseComment, CaseInteraction, CatalogItem, CatalogRequest, ContactLink
from customer_service.services.cases import add_case_comment, change_case_state, open_case
from customer_service.tests.factories import ContactFactory, customer_file
from interactions.models import Interaction
from interactions.tests.timelines import client_for
from routing.models import Queue
from tests.factories import InteractionFactory, agent, agent_holding, manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation():
    return InteractionFactory(channel_user__external_id="4915112345678", channel_user__display_name="Daniel")


def test_the_panel_shows_the_recognised_contact_their_account_and_cases(conversation, django_assert_max_num_queries):
    daniel = ContactFactory(
        first_name="Daniel", last_name="Weber", account__name="Weber Architekten", phone="4915112345678"
    )
    case = open_case(short_description="Broken armrest", interaction=conversation)
    alice = agent_holding(conversation)

    with django_assert_max_num_queries(12):
        answer = client_for(alice).get(f"/api/v1/interactions/{conversation.pk}/customer/")

    assert answer.status_code == 200
    body = answer.json()
    assert body["contact"]["name"] == "Daniel Weber" and body["contact"]["id"] == daniel.pk
    assert body["contact"]["account"]["name"] == "Weber Architekten"
    assert body["contact"]["phones"] == ["+4915112345678"]
    assert body["recognised_by"] == "phone"
    assert [(c["number"], c["state_label"], c["interaction_ids"]) for c in body["cases"]] == [
        (case.number, "New", [conversation.pk])
    ]


def test_another_agents_conversation_is_a_404(conversation):
    agent_holding(conversation)
    someone_else = agent_holding(InteractionFactory())

    assert client_for(someone_else).get(f"/api/v1/interactions/{conversation.pk}/customer/").status_code == 404


def test_an_agent_opens_a_case_from_the_conversation_with_the_customers_photo(conversation):
    alice = agent_holding(conversation)
    photo = customer_file(conversation)

    answer = client_for(alice).post(
        f"/api/v1/interactions/{conversation.pk}/cases/",
        {"short_description": "Broken armrest", "priority": 2, "attachment_message_ids": [photo.message_id]},
        format="json",
    )

    assert answer.status_code == 201, answer.json()
    case = Case.objects.get(number=answer.json()["number"])
    assert (case.channel_user, case.opened_by, case.priority) == (conversation.channel_user, alice, 2)
    assert [attachment.message_attachment for attachment in case.attachments.all()] == [photo]


def test_a_file_of_another_conversation_is_refused_and_no_case_is_opened(conversation):
    alice = agent_holding(conversation)
    elsewhere = customer_file(InteractionFactory())

    answer = client_for(alice).post(
        f"/api/v1/interactions/{conversation.pk}/cases/",
        {"short_description": "Broken armrest", "attachment_message_ids": [elsewhere.message_id]},
        format="json",
    )

    assert answer.status_code == 400
    assert "are not files of this conversation" in answer.json()["detail"]
    assert not Case.objects.exists()


def test_a_manager_reads_but_does_not_open_cases(conversation):
    agent_holding(conversation)
    supervisor = manager()

    assert client_for(supervisor).get(f"/api/v1/interactions/{conversation.pk}/customer/").status_code == 200
    refused = client_for(supervisor).post(
        f"/api/v1/interactions/{conversation.pk}/cases/", {"short_description": "x"}, format="json"
    )
    assert refused.status_code == 403 and "Only agents may open cases" in refused.json()["detail"]


def test_an_agent_links_an_existing_case_by_its_number(conversation):
    alice = agent_holding(conversation)
    earlier = open_case(short_description="Invoice question", channel_user=conversation.channel_user)

    answer = client_for(alice).post(
        f"/api/v1/interactions/{conversation.pk}/cases/link/", {"number": earlier.number.lower()}, format="json"
    )

    assert answer.status_code == 200 and answer.json()["interaction_ids"] == [conversation.pk]


def test_another_customers_case_cannot_be_linked(conversation):
    alice = agent_holding(conversation)
    theirs = open_case(short_description="Other", channel_user=InteractionFactory().channel_user)

    answer = client_for(alice).post(
        f"/api/v1/interactions/{conversation.pk}/cases/link/", {"number": theirs.number}, format="json"
    )

    assert answer.status_code == 400 and "another customer's" in answer.json()["detail"]


def test_an_agent_links_and_unlinks_the_customer_to_a_contact(conversation):
    alice = agent_holding(conversation)
    priya = ContactFactory(first_name="Priya", last_name="Raman")
    path = f"/api/v1/interactions/{conversation.pk}/customer/contact/"

    linked = client_for(alice).put(path, {"contact_id": priya.pk}, format="json")
    unlinked = client_for(alice).put(path, {"contact_id": None}, format="json")

    assert (linked.json()["contact"]["name"], linked.json()["recognised_by"]) == ("Priya Raman", "agent")
    assert (unlinked.json()["contact"], unlinked.json()["recognised_by"]) == (None, "agent")
    assert ContactLink.objects.get().linked_by == alice


def test_contacts_are_found_by_name_or_phone_digits(conversation):
    alice = agent_holding(conversation)
    priya = ContactFactory(first_name="Priya", last_name="Raman", phone="447700900123")

    by_name = client_for(alice).get("/api/v1/customer-service/contacts/", {"q": "raman"})
    by_phone = client_for(alice).get("/api/v1/customer-service/contacts/", {"q": "7700 900"})

    assert [contact["id"] for contact in by_name.json()] == [priya.pk]
    assert [contact["id"] for contact in by_phone.json()] == [priya.pk]


def test_an_answer_to_share_comes_with_the_message_it_sends(conversation):
    seed_customer_service_demo()
    alice = agent_holding(conversation)

    answer = client_for(alice).get("/api/v1/customer-service/answers/", {"q": "broken armrest", "limit": 3})

    best = answer.json()[0]
    assert best["title"] == "Replace a broken armrest"
    assert best["url"].startswith("http://127.0.0.1:8000/help/articles/")
    assert best["message_text"] == f"*{best['title']}*\n{best['snippet']}\n\nRead it all: {best['url']}"


def test_an_agent_requests_a_catalog_item_for_the_customer(conversation):
    seed_customer_service_demo()
    alice = agent_holding(conversation)
    catalog = client_for(alice).get("/api/v1/customer-service/catalog/").json()
    assembly = next(
        item for category in catalog for item in category["items"] if item["name"] == "Assembly appointment"
    )
    how_many, day, lift, _anything_else = (question["id"] for question in assembly["questions"])
    in_a_week = (timezone.localdate() + timedelta(days=7)).strftime("%d/%m/%Y")

    answer = client_for(alice).post(
        f"/api/v1/interactions/{conversation.pk}/catalog-requests/",
        {"item_id": assembly["id"], "answers": {str(how_many): "3", str(day): in_a_week, str(lift): "yes"}},
        format="json",
    )

    assert answer.status_code == 201, answer.json()
    assert answer.json()["number"] == "REQ0001001"
    request = CatalogRequest.objects.get()
    assert (request.channel_user, request.interaction, request.requested_by) == (
        conversation.channel_user,
        conversation,
        alice,
    )


def test_a_catalog_request_with_a_wrong_answer_lists_the_problem_and_stores_nothing(conversation):
    seed_customer_service_demo()
    alice = agent_holding(conversation)
    item = CatalogItem.objects.get(name="Assembly appointment")
    how_many = item.questions.first()

    answer = client_for(alice).post(
        f"/api/v1/interactions/{conversation.pk}/catalog-requests/",
        {"item_id": item.pk, "answers": {str(how_many.pk): "500"}},
        format="json",
    )

    assert answer.status_code == 400
    assert "How many items should we assemble?: Please give a number from 1 to 50." in answer.json()["problems"]
    assert not CatalogRequest.objects.exists()


def test_a_catalog_request_keyed_by_something_not_a_question_id_is_a_400(conversation):
    seed_customer_service_demo()
    alice = agent_holding(conversation)
    item = CatalogItem.objects.get(name="Assembly appointment")

    answer = client_for(alice).post(
        f"/api/v1/interactions/{conversation.pk}/catalog-requests/",
        {"item_id": item.pk, "answers": {"²": "3"}},
        format="json",
    )

    assert answer.status_code == 400
    assert "'²' is not one" in str(answer.json())
    assert not CatalogRequest.objects.exists()


def test_an_agent_moves_the_customers_case_to_a_new_state_recorded_as_theirs(conversation):
    alice = agent_holding(conversation)
    case = open_case(short_description="Broken armrest", interaction=conversation)

    answer = client_for(alice).post(
        f"/api/v1/interactions/{conversation.pk}/cases/{case.pk}/state/", {"state": "resolved"}, format="json"
    )

    assert answer.status_code == 200 and answer.json()["state_label"] == "Resolved"
    assert case.history.last().changed_by == alice


def test_another_customers_case_is_not_found_from_this_conversation(conversation):
    alice = agent_holding(conversation)
    theirs = open_case(short_description="Other", channel_user=InteractionFactory().channel_user)

    answer = client_for(alice).post(
        f"/api/v1/interactions/{conversation.pk}/cases/{theirs.pk}/state/", {"state": "closed"}, format="json"
    )

    assert answer.status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == "new"


def test_a_colleague_reading_along_may_not_change_the_customers_cases_requests_or_contact(conversation):
    """A queue that shares lets Ben read Ana's conversation; writing customer service records in it (which can
    message the customer) is Ana's, as every act in it is."""
    seed_customer_service_demo()
    ana, ben = agent(first_name="Ana"), agent(first_name="Ben")
    shared = Queue.objects.create(key="billing", name="Billing", agents_see_each_others_conversations=True)
    shared.agents.add(ana, ben)
    Interaction.objects.filter(pk=conversation.pk).update(assigned_to=ana, queue="billing")
    case = open_case(short_description="Broken armrest", interaction=conversation)
    other = open_case(short_description="Wobbly leg", channel_user=conversation.channel_user)
    contact = ContactFactory()
    base = f"/api/v1/interactions/{conversation.pk}"
    acts = [
        (f"{base}/cases/{case.pk}/state/", {"state": "resolved"}),
        (f"{base}/cases/{case.pk}/comments/", {"text": "On its way", "internal": False}),
        (f"{base}/cases/", {"short_description": "Another"}),
        (f"{base}/cases/link/", {"number": other.number}),
        (f"{base}/catalog-requests/", {"item_id": CatalogItem.objects.first().pk, "answers": {}}),
    ]

    answers = [client_for(ben).post(path, body, format="json") for path, body in acts]
    answers.append(client_for(ben).put(f"{base}/customer/contact/", {"contact_id": contact.pk}, format="json"))

    assert [answer.status_code for answer in answers] == [403] * 6, [answer.json() for answer in answers]
    assert all("Ana" in answer.json()["detail"] for answer in answers)
    case.refresh_from_db()
    assert (case.state, case.state_changes) == ("new", 0)
    assert Case.objects.count() == 2 and not CatalogRequest.objects.exists() and not ContactLink.objects.exists()
    assert not CaseInteraction.objects.filter(case=other).exists() and not CaseComment.objects.exists()
    assert client_for(ben).get(f"{base}/customer/").status_code == 200  # reading along is still open
    assert client_for(ben).get(f"{base}/cases/{case.pk}/comments/").status_code == 200


def test_an_agent_adds_a_work_note_and_a_comment_and_reads_them_with_the_customers_own(conversation):
    alice = agent_holding(conversation, first_name="Alice", last_name="Agent")
    case = open_case(short_description="Broken armrest", interaction=conversation)
    add_case_comment(case, text="Here is a photo", attachments=[customer_file(conversation)])
    path = f"/api/v1/interactions/{conversation.pk}/cases/{case.pk}/comments/"

    note = client_for(alice).post(path, {"text": "Supplier confirmed by phone.", "internal": True}, format="json")
    comment = client_for(alice).post(path, {"text": "  A new armrest ships today. "}, format="json")

    assert (note.status_code, comment.status_code) == (201, 201), (note.json(), comment.json())
    assert comment.json()["internal"] is False and comment.json()["text"] == "A new armrest ships today."
    read = client_for(alice).get(path)
    assert read.status_code == 200
    assert [(row["author"], row["internal"], row["text"], row["attachment_count"]) for row in read.json()] == [
        (None, False, "Here is a photo", 1),
        ("Alice Agent", True, "Supplier confirmed by phone.", 0),
        ("Alice Agent", False, "A new armrest ships today.", 0),
    ]
    assert [comment.author for comment in case.comments.all()] == [None, alice, alice]


def test_an_empty_comment_is_a_400_and_a_closed_case_a_409(conversation):
    alice = agent_holding(conversation)
    case = open_case(short_description="Broken armrest", interaction=conversation)
    path = f"/api/v1/interactions/{conversation.pk}/cases/{case.pk}/comments/"

    empty = client_for(alice).post(path, {"text": "   ", "internal": False}, format="json")
    change_case_state(case, state="closed")
    closed = client_for(alice).post(path, {"text": "One more thing"}, format="json")

    assert empty.status_code == 400 and empty.json()["text"] == ["Write the note or comment first."]
    assert closed.status_code == 409 and "is closed; open a new case instead" in closed.json()["detail"]
    assert not CaseComment.objects.exists()


def test_another_customers_case_has_no_comments_here_and_a_manager_reads_but_does_not_comment(conversation):
    alice = agent_holding(conversation)
    theirs = open_case(short_description="Other", channel_user=InteractionFactory().channel_user)
    mine = open_case(short_description="Broken armrest", interaction=conversation)
    base = f"/api/v1/interactions/{conversation.pk}/cases"

    assert client_for(alice).get(f"{base}/{theirs.pk}/comments/").status_code == 404
    assert client_for(alice).post(f"{base}/{theirs.pk}/comments/", {"text": "Hi"}, format="json").status_code == 404
    assert client_for(manager()).get(f"{base}/{mine.pk}/comments/").status_code == 200
    refused = client_for(manager()).post(f"{base}/{mine.pk}/comments/", {"text": "Hi"}, format="json")
    assert refused.status_code == 403 and "Only agents may comment on cases" in refused.json()["detail"]
    assert not CaseComment.objects.exists()
