"""Canned responses and quick actions as the composer uses them: filled in for the conversation, an unknown
placeholder refused on save, a placeholder with no value left for the agent, an agent's own kept to themselves,
and quick actions sending through the one outbound path (the window and the opt-out apply)."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from canned_responses.models import CannedResponse
from canned_responses.placeholders import PLACEHOLDERS, FilledText, fill_placeholders, validate_placeholders
from customer_service.services.cases import change_case_state, link_case_to_interaction, open_case
from customer_service.tests.factories import ContactFactory
from interactions.models import Direction, Message
from interactions.roles import ADMIN
from interactions.services.consent_messages import OPT_IN_QUESTION
from interactions.tests.timelines import client_for
from tests.consent_factories import opted_out
from tests.factories import InteractionFactory, UserFactory, agent_holding, manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation():
    return InteractionFactory(channel_user__external_id="4915112345678", channel_user__display_name="Dan W.")


@pytest.fixture
def alice(conversation):
    return agent_holding(conversation, first_name="Alice", last_name="Smith")


def shared(shortcut, body, **fields):
    return CannedResponse.objects.create(shortcut=shortcut, title=fields.pop("title", shortcut), body=body, **fields)


@pytest.mark.parametrize(
    ("text", "filled", "missing"),
    [
        ("Hi {customer_name}", "Hi Dan", ()),
        ("Case {case_number}, {case_number}", "Case {case_number}, {case_number}", ("case_number",)),
        ("Braces {} and { customer_name } stay", "Braces {} and { customer_name } stay", ()),
        ("{agent_name}", "{agent_name}", ("agent_name",)),  # blank is no value
    ],
)
def test_filling_leaves_a_placeholder_without_a_value_as_written(text, filled, missing):
    assert fill_placeholders(text, {"customer_name": "Dan", "agent_name": "  "}) == FilledText(filled, missing)


def test_an_unknown_placeholder_is_a_validation_error_naming_it_and_the_known_ones():
    with pytest.raises(ValidationError) as refused:
        validate_placeholders("Hello {customer_name}, your {custmer_id}")

    assert "Unknown placeholder {custmer_id}; the placeholders are {customer_name}" in refused.value.messages[0]


def test_the_menu_fills_the_contacts_first_name_the_agent_and_the_case_linked_to_the_conversation(
    conversation, alice, django_assert_max_num_queries
):
    ContactFactory(first_name="Daniel", last_name="Weber", phone="4915112345678")
    open_case(short_description="Older open case", channel_user=conversation.channel_user)
    linked = open_case(short_description="Broken armrest", channel_user=conversation.channel_user)
    link_case_to_interaction(linked, interaction=conversation)
    change_case_state(linked, state="awaiting_info")
    shared("thanks", "Thanks, {customer_name}! {agent_name} here. Case {case_number} ({case_title}) is {case_state}.")

    with django_assert_max_num_queries(12):
        answer = client_for(alice).get(f"/api/v1/interactions/{conversation.pk}/canned-responses/")

    assert answer.status_code == 200
    [response] = answer.json()["responses"]
    assert response["text"] == f"Thanks, Daniel! Alice here. Case {linked.number} (Broken armrest) is awaiting info."
    assert response["missing"] == [] and response["shared"] is True
    assert {"name": "case_number"}.items() <= answer.json()["placeholders"][2].items()


def test_without_a_linked_case_the_latest_open_one_is_used_and_without_any_the_case_is_left_to_fill(
    conversation, alice
):
    shared("case", "Dear {customer_name}, about {case_number}")
    url = f"/api/v1/interactions/{conversation.pk}/canned-responses/"

    [unfilled] = client_for(alice).get(url).json()["responses"]
    case = open_case(short_description="Late delivery", channel_user=conversation.channel_user)
    [filled] = client_for(alice).get(url).json()["responses"]

    assert (unfilled["text"], unfilled["missing"]) == ("Dear Dan W., about {case_number}", ["case_number"])
    assert (filled["text"], filled["missing"]) == (f"Dear Dan W., about {case.number}", [])


def test_the_menu_offers_the_customers_language_and_the_agents_own_first_never_a_colleagues(conversation, alice):
    conversation.channel_user.language = "de"
    conversation.channel_user.save()
    shared("hello", "Hello", language="en")
    shared("hallo", "Hallo", language="de")
    shared("hi", "Hi there")
    CannedResponse.objects.create(owner=alice, shortcut="howdy", title="Mine", body="Howdy")
    CannedResponse.objects.create(owner=UserFactory(), shortcut="hey", title="A colleague's", body="Hey")

    everything = client_for(alice).get(f"/api/v1/interactions/{conversation.pk}/canned-responses/").json()
    searched = client_for(alice).get(f"/api/v1/interactions/{conversation.pk}/canned-responses/?q=/ther").json()

    assert [response["shortcut"] for response in everything["responses"]] == ["hallo", "howdy", "hi"]
    assert [response["shortcut"] for response in searched["responses"]] == ["hi"]


def test_shortcuts_starting_with_the_search_come_first_even_among_more_matches_than_the_menu_holds(conversation, alice):
    CannedResponse.objects.bulk_create(
        CannedResponse(shortcut=f"a-{number:03}", title=f"About zeta {number}", body="Mentions zeta")
        for number in range(120)
    )
    shared("zeta", "Starts with it")
    shared("zeta-2", "Starts with it too")

    searched = client_for(alice).get(f"/api/v1/interactions/{conversation.pk}/canned-responses/?q=zeta").json()

    assert [response["shortcut"] for response in searched["responses"]][:3] == ["zeta", "zeta-2", "a-000"]


def test_an_agent_keeps_their_own_responses_and_cannot_change_the_shared_ones(alice):
    client = client_for(alice)
    common = shared("bye", "Bye")

    created = client.post("/api/v1/canned-responses/", {"shortcut": "ship", "title": "Ships", "body": "Ships today"})
    duplicate = client.post("/api/v1/canned-responses/", {"shortcut": "ship", "title": "Again", "body": "Again"})
    misspelt = client.post("/api/v1/canned-responses/", {"shortcut": "x", "title": "X", "body": "Hi {nme}"})
    changed = client.patch(f"/api/v1/canned-responses/{created.json()['id']}/", {"body": "Ships {case_number}"})
    refused = client.patch(f"/api/v1/canned-responses/{common.pk}/", {"body": "Mine now"})
    listed = client.get("/api/v1/canned-responses/").json()
    deleted = client.delete(f"/api/v1/canned-responses/{created.json()['id']}/")

    assert created.status_code == 201 and created.json()["shared"] is False
    assert duplicate.status_code == 400 and "shortcut" in str(duplicate.json()).lower()
    assert misspelt.status_code == 400 and "Unknown placeholder {nme}" in misspelt.json()["body"][0]
    assert changed.status_code == 200 and changed.json()["body"] == "Ships {case_number}"
    assert refused.status_code == 403 and CannedResponse.objects.get(pk=common.pk).body == "Bye"
    assert sorted(response["shortcut"] for response in listed) == ["bye", "ship"]
    assert deleted.status_code == 204 and list(CannedResponse.objects.all()) == [common]
    assert client_for(UserFactory()).get(f"/api/v1/canned-responses/{common.pk}/").status_code == 403
    assert (
        client_for(manager())
        .post("/api/v1/canned-responses/", {"shortcut": "m", "title": "M", "body": "M"})
        .status_code
        == 403
    )


def test_the_form_that_writes_a_response_lists_every_placeholder_a_body_may_hold(alice):
    listed = client_for(alice).get("/api/v1/canned-responses/placeholders/").json()

    assert [placeholder["name"] for placeholder in listed] == list(PLACEHOLDERS)
    assert all(placeholder["description"] for placeholder in listed)


def test_a_colleagues_own_response_is_not_found(alice):
    theirs = CannedResponse.objects.create(owner=UserFactory(), shortcut="mine", title="Mine", body="Mine")

    assert client_for(alice).delete(f"/api/v1/canned-responses/{theirs.pk}/").status_code == 404
    assert CannedResponse.objects.filter(pk=theirs.pk).exists()


def test_an_admin_keeps_the_shared_responses_and_is_refused_an_unknown_placeholder_with_the_reason():
    admin = UserFactory(is_staff=True, role=ADMIN)
    browser = Client()
    browser.force_login(admin)
    shared("bye", "Bye {customer_name}")

    listed = browser.get("/admin/canned_responses/cannedresponse/")

    page = browser.post(
        "/admin/canned_responses/cannedresponse/add/",
        {"shortcut": "thanks", "title": "Thanks", "body": "Thanks {customer}", "language": ""},
    )

    assert listed.status_code == 200 and "Shared" in listed.content.decode()
    assert page.status_code == 200 and "Unknown placeholder {customer}" in page.content.decode()
    assert list(CannedResponse.objects.values_list("shortcut", flat=True)) == ["bye"]


def test_the_case_status_quick_action_sends_the_linked_case_through_the_outbox(conversation, alice):
    case = open_case(short_description="Broken armrest", interaction=conversation)

    answer = client_for(alice).post(f"/api/v1/interactions/{conversation.pk}/quick-actions/case-status/")

    assert answer.status_code == 201
    sent = Message.objects.get(pk=answer.json()["id"])
    assert (sent.text, sent.author, sent.status) == (
        f"Your case {case.number} (Broken armrest) is new.",
        alice,
        "queued",
    )


@pytest.mark.parametrize("action", ["case-status", "ask-for-photo", "opt-in-question"])
def test_a_quick_action_retried_with_its_idempotency_key_sends_once_though_the_case_moved_on(
    action, conversation, alice
):
    case = open_case(short_description="Broken armrest", interaction=conversation)
    client = client_for(alice)
    url = f"/api/v1/interactions/{conversation.pk}/quick-actions/{action}/"

    first = client.post(url, headers={"Idempotency-Key": "run-1"})
    change_case_state(case, state="resolved")
    retry = client.post(url, headers={"Idempotency-Key": "run-1"})
    another = client.post(url, headers={"Idempotency-Key": "run-2"})

    assert (first.status_code, retry.status_code, another.status_code) == (201, 200, 201)
    assert retry.json() == first.json() and retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in another.headers
    assert Message.objects.filter(direction=Direction.OUTBOUND, author=alice).count() == 2


def test_a_key_used_for_one_quick_action_or_message_is_refused_for_another(conversation, alice):
    open_case(short_description="Broken armrest", interaction=conversation)
    client = client_for(alice)
    actions = f"/api/v1/interactions/{conversation.pk}/quick-actions"

    photo = client.post(f"{actions}/ask-for-photo/", headers={"Idempotency-Key": "run-1"})
    status = client.post(f"{actions}/case-status/", headers={"Idempotency-Key": "run-1"})
    client.post(f"/api/v1/interactions/{conversation.pk}/messages/", {"text": "Hi"}, headers={"Idempotency-Key": "m-1"})
    after_message = client.post(f"{actions}/case-status/", headers={"Idempotency-Key": "m-1"})
    long_key = client.post(f"{actions}/case-status/", headers={"Idempotency-Key": "k" * 200})

    assert (photo.status_code, status.status_code, after_message.status_code) == (201, 422, 422)
    assert "already used" in status.json()["detail"]
    assert long_key.status_code == 201
    assert Message.objects.filter(direction=Direction.OUTBOUND, author=alice).count() == 3


def test_a_quick_action_with_nothing_to_report_or_after_an_opt_out_is_refused_with_the_reason(conversation, alice):
    client = client_for(alice)

    no_case = client.post(f"/api/v1/interactions/{conversation.pk}/quick-actions/case-status/")
    opted_out(conversation.channel_user)
    after_stop = client.post(f"/api/v1/interactions/{conversation.pk}/quick-actions/ask-for-photo/")
    unknown = client.post(f"/api/v1/interactions/{conversation.pk}/quick-actions/dance/")

    assert no_case.status_code == 409 and "no case" in no_case.json()["detail"]
    assert after_stop.status_code == 409 and "opted out" in after_stop.json()["detail"]
    assert unknown.status_code == 404
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_the_opt_in_quick_action_sends_consents_question_which_a_yes_answers(conversation, alice):
    answer = client_for(alice).post(f"/api/v1/interactions/{conversation.pk}/quick-actions/opt-in-question/")

    question = Message.objects.get(pk=answer.json()["id"])
    assert answer.status_code == 201 and question.content == {"consent": OPT_IN_QUESTION}
    listed = client_for(alice).get(f"/api/v1/interactions/{conversation.pk}/quick-actions/").json()
    assert [action["key"] for action in listed] == ["case-status", "ask-for-photo", "opt-in-question"]


def test_a_manager_reads_the_menu_but_runs_no_quick_action(conversation, alice):
    boss = manager()

    assert client_for(boss).get(f"/api/v1/interactions/{conversation.pk}/canned-responses/").status_code == 200
    assert (
        client_for(boss).post(f"/api/v1/interactions/{conversation.pk}/quick-actions/ask-for-photo/").status_code == 403
    )


@pytest.mark.parametrize(
    "body",
    [
        {"shortcut": "a", "title": "NUL", "body": "a\x00b"},
        {"shortcut": "a", "title": "Lone \ud800 surrogate", "body": "b"},
        {"shortcut": "Not A Slug!", "title": "t", "body": "b"},
        {"shortcut": "a", "title": "t", "body": "b" * 5001},
    ],
)
def test_a_body_the_database_cannot_take_or_a_bad_shortcut_is_a_400_that_writes_nothing(alice, body):
    answer = client_for(alice).post("/api/v1/canned-responses/", json.dumps(body), content_type="application/json")

    assert answer.status_code == 400, answer.content
    assert not CannedResponse.objects.exists()


def test_a_search_the_database_cannot_take_is_a_400_and_an_id_past_64_bits_is_not_found(conversation, alice):
    client = client_for(alice)

    assert client.get(f"/api/v1/interactions/{conversation.pk}/canned-responses/?q=a%00b").status_code == 400
    assert client.get("/api/v1/canned-responses/9223372036854775808/").status_code == 404
