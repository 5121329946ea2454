"""Notification rules choose whether and in which words a customer hears of an event: off sends nothing, the
edited text goes out in the window, the configured template outside it, each in the customer's language; the
admin refuses a rule that could not be sent and audits every change; the sweep tells only what the rules allow."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from customer_service.models import CaseState, NotificationEvent, NotificationRule, NotificationText
from customer_service.notification_defaults import DEFAULT_RULES
from customer_service.services.cases import (
    add_case_comment,
    change_case_state,
    open_case,
    unannounced_case_changes,
    unannounced_comments,
)
from customer_service.services.catalog import change_request_state, submit_request, unannounced_request_changes
from customer_service.tests.factories import CatalogItemFactory
from interactions.models import Notification
from interactions.roles import ADMIN
from tests.consent_factories import opted_in, template
from tests.factories import ChannelUserFactory, UserFactory, agent, manager

pytestmark = pytest.mark.django_db

STATE = NotificationEvent.CASE_STATE_CHANGED
COMMENT = NotificationEvent.CASE_COMMENT
REQUEST = NotificationEvent.CATALOG_REQUEST_STATE_CHANGED


def rule(event: str) -> NotificationRule:
    return NotificationRule.objects.get(event=event)


def set_text(event: str, language: str, text: str, *, template_language: str = "") -> None:
    NotificationText.objects.update_or_create(
        rule=rule(event), language=language, defaults={"text": text, "template_language": template_language}
    )


def customer(**fields):
    person = ChannelUserFactory(external_id="4915112345678", display_name="Daniel", **fields)
    opted_in(person)
    return person


def resolve(case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        change_case_state(case, state=CaseState.RESOLVED)


def test_the_shipped_rules_are_todays_words_and_templates():
    stored = {stored.event: stored for stored in NotificationRule.objects.prefetch_related("texts")}

    assert set(stored) == set(NotificationEvent.values)
    for event, default in DEFAULT_RULES.items():
        assert (stored[event].enabled, stored[event].template_name, stored[event].template_parameters) == (
            default["enabled"],
            default["template_name"],
            default["template_parameters"],
        )
        assert {text.language: text.text for text in stored[event].texts.all()} == default["texts"]


def test_a_disabled_rule_sends_nothing(tasks_run_here, django_capture_on_commit_callbacks):
    NotificationRule.objects.filter(event__in=[STATE, COMMENT]).update(enabled=False)
    case = open_case(channel_user=customer(), short_description="Broken armrest")

    resolve(case, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        add_case_comment(case, text="A new armrest ships today.", author=agent())

    assert not Notification.objects.exists()


def test_the_edited_text_is_what_the_customer_reads_in_their_window(tasks_run_here, django_capture_on_commit_callbacks):
    set_text(STATE, "en", "Hi {customer_name}! {case_number} “{case_description}”: {state}. {unknown} stays.")
    case = open_case(channel_user=customer(), short_description="Broken armrest")

    resolve(case, django_capture_on_commit_callbacks)

    message = Notification.objects.get().message
    assert (message.kind, message.text) == ("text", "Hi Daniel! CS0001001 “Broken armrest”: resolved. {unknown} stays.")


def test_outside_the_window_the_configured_template_goes_out_with_its_mapped_values(
    tasks_run_here, django_capture_on_commit_callbacks
):
    person = customer(window_closed=True)
    template(person, name="case_news", header="", buttons=[], body="Case {{1}} is {{2}} now, {{3}}.")
    NotificationRule.objects.filter(event=STATE).update(
        template_name="case_news", template_parameters="case_number, state, customer_name"
    )
    case = open_case(channel_user=person, short_description="Broken armrest")

    resolve(case, django_capture_on_commit_callbacks)

    message = Notification.objects.get().message
    assert (message.kind, message.text) == ("template", "Case CS0001001 is resolved now, Daniel.")
    assert message.content["template"]["name"] == "case_news"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de-DE", "Hallo Daniel, Ihr Fall CS0001001 ist jetzt resolved."),
        ("es", "Hola Daniel, su caso CS0001001 ahora está resolved."),
        ("fr", "Hello Daniel, your case CS0001001 (Broken armrest) is now resolved."),  # no French text: English
    ],
)
def test_the_customer_reads_their_languages_text(
    language, expected, tasks_run_here, django_capture_on_commit_callbacks
):
    set_text(STATE, "de", "Hallo {customer_name}, Ihr Fall {case_number} ist jetzt {state}.")
    set_text(STATE, "es", "Hola {customer_name}, su caso {case_number} ahora está {state}.")
    case = open_case(channel_user=customer(language=language), short_description="Broken armrest")

    resolve(case, django_capture_on_commit_callbacks)

    assert Notification.objects.get().message.text == expected


def test_outside_the_window_the_customer_gets_the_template_in_their_language(
    tasks_run_here, django_capture_on_commit_callbacks
):
    person = customer(language="de", window_closed=True)
    template(person, name="case_update", language="en_US", header="", buttons=[], body="Hi {{1}}, {{2}}: {{3}}.")
    template(person, name="case_update", language="de", header="", buttons=[], body="Hallo {{1}}, {{2}}: {{3}}.")
    set_text(STATE, "de", "Hallo {customer_name}, {case_number}: {state}.", template_language="de")
    case = open_case(channel_user=person, short_description="Broken armrest")

    resolve(case, django_capture_on_commit_callbacks)

    message = Notification.objects.get().message
    assert (message.kind, message.text, message.content["template"]["language"]) == (
        "template",
        "Hallo Daniel, CS0001001: resolved.",
        "de",
    )


def test_a_rule_missing_from_the_database_speaks_as_shipped(tasks_run_here, django_capture_on_commit_callbacks):
    NotificationRule.objects.all().delete()  # as after a test's flush: no rule row at all
    case = open_case(channel_user=customer(), short_description="Broken armrest")

    resolve(case, django_capture_on_commit_callbacks)

    assert (
        Notification.objects.get().message.text == "Hello Daniel, your case CS0001001 (Broken armrest) is now resolved."
    )


def test_a_catalog_request_update_is_told_only_once_its_rule_is_on(tasks_run_here, django_capture_on_commit_callbacks):
    person = customer()
    item = CatalogItemFactory(name="Office chair")
    request = submit_request(item=item, answers={}, channel_user=person)
    with django_capture_on_commit_callbacks(execute=True):
        change_request_state(request, state="in_progress")
    assert not Notification.objects.exists()  # it ships off: before the rules, requests told nobody

    NotificationRule.objects.filter(event=REQUEST).update(enabled=True, enabled_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        change_request_state(request, state="fulfilled")

    notification = Notification.objects.get()
    assert notification.idempotency_key == f"catalog-request:{request.pk}:state-change:2"
    assert notification.message.text == f"Hello Daniel, your request {request.number} (Office chair) is now fulfilled."


def test_an_admin_working_a_request_tells_the_customer_when_the_rule_is_on(
    admin_client, tasks_run_here, django_capture_on_commit_callbacks
):
    NotificationRule.objects.filter(event=REQUEST).update(enabled=True, enabled_at=timezone.now())
    request = submit_request(item=CatalogItemFactory(name="Office chair"), answers={}, channel_user=customer())

    with django_capture_on_commit_callbacks(execute=True):
        answer = admin_client.post(
            f"/admin/customer_service/catalogrequest/{request.pk}/change/",
            {"state": "in_progress", "answers-TOTAL_FORMS": 0, "answers-INITIAL_FORMS": 0},
        )

    assert answer.status_code == 302, answer.content.decode()
    request.refresh_from_db()
    assert (request.state, request.state_changes) == ("in_progress", 1)
    assert Notification.objects.get().message.text == (
        f"Hello Daniel, your request {request.number} (Office chair) is now in progress."
    )


# The sweep: plain `db` tests run nothing on commit, exactly a change whose enqueue was lost.


def test_the_sweep_tells_nothing_while_a_rule_is_off():
    case = open_case(channel_user=customer(), short_description="Broken armrest")
    change_case_state(case, state=CaseState.RESOLVED)
    add_case_comment(case, text="A new armrest ships today.", author=agent())
    assert unannounced_case_changes(older_than=timedelta(0)) == [case]

    NotificationRule.objects.filter(event__in=[STATE, COMMENT]).update(enabled=False)

    assert unannounced_case_changes(older_than=timedelta(0)) == []
    assert unannounced_comments(older_than=timedelta(0)) == []


def test_switched_on_again_the_sweep_never_tells_what_happened_while_it_was_off(admin_client):
    person = customer()
    template(person, name="case_update", header="", buttons=[], body="Hi {{1}}, case {{2}} is {{3}}.")
    case = open_case(channel_user=person, short_description="Broken armrest")
    NotificationRule.objects.filter(event=STATE).update(enabled=False)
    change_case_state(case, state=CaseState.OPEN)  # while off

    answer = admin_client.post(rule_url(STATE), rule_form(rule(STATE), enabled="on"))
    assert answer.status_code == 302, answer.content.decode()
    assert unannounced_case_changes(older_than=timedelta(0)) == []

    change_case_state(case, state=CaseState.RESOLVED)  # once on again
    assert unannounced_case_changes(older_than=timedelta(0)) == [case]


def test_the_sweep_tells_a_request_update_only_while_its_rule_is_on():
    request = submit_request(item=CatalogItemFactory(), answers={}, channel_user=customer())
    change_request_state(request, state="fulfilled")
    assert unannounced_request_changes(older_than=timedelta(0)) == []

    NotificationRule.objects.filter(event=REQUEST).update(enabled=True, enabled_at=timezone.now() - timedelta(hours=1))

    assert unannounced_request_changes(older_than=timedelta(0)) == [request]


# The admin.


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(role=ADMIN, is_staff=True))
    return client


def rule_url(event: str) -> str:
    return f"/admin/customer_service/notificationrule/{rule(event).pk}/change/"


def rule_form(stored: NotificationRule, *, texts: list[dict] | None = None, new_texts=(), **fields) -> dict:
    """The change form as the admin page posts it: the rule's fields (a checkbox left out is off) and its texts."""
    rows = texts if texts is not None else [
        {"id": text.pk, "language": text.language, "text": text.text, "template_language": text.template_language}
        for text in stored.texts.all()
    ]  # fmt: skip
    data = {
        "template_name": stored.template_name,
        "template_language": stored.template_language,
        "template_parameters": stored.template_parameters,
        **fields,
        "texts-TOTAL_FORMS": len(rows) + len(new_texts),
        "texts-INITIAL_FORMS": len(rows),
    }
    for index, row in enumerate([*rows, *new_texts]):
        data |= {f"texts-{index}-{name}": value for name, value in row.items()} | {f"texts-{index}-rule": stored.pk}
    return data


def errors_of(answer) -> str:
    assert answer.status_code == 200, "the form was accepted"
    return answer.content.decode()


def test_an_admin_edits_a_rules_text_and_template_and_each_change_is_audited(admin_client):
    person = ChannelUserFactory()
    template(person, name="case_news", header="", buttons=[], body="Case {{1}}: {{2}}.")
    stored = rule(STATE)
    english = stored.texts.get(language="en")

    answer = admin_client.post(
        rule_url(STATE),
        rule_form(
            stored,
            enabled="on",
            template_name="case_news",
            template_parameters="case_number, state",
            texts=[{"id": english.pk, "language": "en", "text": "{case_number} is {state}.", "template_language": ""}],
            new_texts=[{"language": "DE", "text": "{case_number} ist {state}.", "template_language": ""}],
        ),
    )

    assert answer.status_code == 302, answer.content.decode()
    stored.refresh_from_db()
    assert (stored.template_name, stored.template_parameters) == ("case_news", "case_number, state")
    assert dict(stored.texts.values_list("language", "text")) == {
        "en": "{case_number} is {state}.",
        "de": "{case_number} ist {state}.",
    }
    changed = AuditEntry.objects.get(
        action=AuditAction.CONFIG_CHANGED, object_id=str(stored.pk), object_label=str(stored)
    )
    assert changed.changes["template_name"] == {"old": "case_update", "new": "case_news"}
    assert AuditEntry.objects.filter(action=AuditAction.CONFIG_CHANGED, object_label__contains="(en)").exists()
    assert AuditEntry.objects.filter(action=AuditAction.CONFIG_ADDED, object_label__contains="(de)").exists()


@pytest.mark.parametrize(
    ("fields", "text", "problem"),
    [
        ({}, "Hello {customer_name}, {case_nummer}", "The en text uses {case_nummer}, which this event does not fill"),
        ({}, "   ", "The en text is empty; an enabled rule needs words"),
        ({"template_name": "never_synced"}, None, "Template never_synced (en_US) has not been synced from WhatsApp"),
        ({"template_name": "paused_one"}, None, "Template paused_one (en_US) is paused as of the last sync"),
        ({"template_parameters": "case_number"}, None, "takes 3 body value(s); the parameters name 1"),
        ({"template_parameters": "customer_name, order_id, state"}, None, "The template parameter “order_id” is not"),
    ],
)
def test_a_rule_that_could_not_be_sent_as_meant_is_refused_with_what_to_change(admin_client, fields, text, problem):
    person = ChannelUserFactory()
    template(person, name="case_update", header="", buttons=[], body="Hi {{1}}, case {{2}} is {{3}}.")
    template(person, name="paused_one", status="paused", header="", buttons=[], body="Hi {{1}}, {{2}}, {{3}}.")
    stored = rule(STATE)
    english = stored.texts.get(language="en")
    texts = None if text is None else [{"id": english.pk, "language": "en", "text": text, "template_language": ""}]

    answer = admin_client.post(rule_url(STATE), rule_form(stored, enabled="on", texts=texts, **fields))

    assert problem in errors_of(answer)
    assert rule(STATE).template_name == "case_update"
    assert NotificationText.objects.get(pk=english.pk).text == DEFAULT_RULES[STATE]["texts"]["en"]
    assert not AuditEntry.objects.filter(action=AuditAction.CONFIG_CHANGED).exists()


def test_an_enabled_rule_needs_an_english_text_and_real_language_codes(admin_client):
    person = ChannelUserFactory()
    template(person, name="case_update", header="", buttons=[], body="Hi {{1}}, case {{2}} is {{3}}.")
    stored = rule(STATE)
    english = stored.texts.get(language="en")

    answer = admin_client.post(
        rule_url(STATE),
        rule_form(
            stored,
            enabled="on",
            texts=[{"id": english.pk, "language": "deutsch", "text": "{state}", "template_language": ""}],
        ),
    )

    page = errors_of(answer)
    assert "“deutsch” is not a language code" in page
    assert "An enabled rule needs an English (en) text" in page


def test_a_disabled_rule_may_keep_unfinished_words_and_an_unsynced_template(admin_client):
    stored = rule(REQUEST)
    english = stored.texts.get(language="en")

    answer = admin_client.post(
        rule_url(REQUEST),
        rule_form(
            stored,
            template_name="request_update",
            texts=[{"id": english.pk, "language": "en", "text": "", "template_language": ""}],
        ),
    )

    assert answer.status_code == 302, answer.content.decode()
    assert (rule(REQUEST).template_name, NotificationText.objects.get(pk=english.pk).text) == ("request_update", "")


def test_switching_a_rule_on_without_a_synced_template_is_refused(admin_client):
    answer = admin_client.post(
        rule_url(REQUEST), rule_form(rule(REQUEST), enabled="on", template_name="request_update")
    )

    assert "Template request_update (en_US) has not been synced" in errors_of(answer)
    assert not rule(REQUEST).enabled


def test_rules_are_neither_added_nor_deleted_and_managers_only_read_them(admin_client):
    assert admin_client.get("/admin/customer_service/notificationrule/add/").status_code == 403
    assert admin_client.get(rule_url(STATE).replace("change", "delete")).status_code == 403
    reader = Client()
    reader.force_login(manager())
    assert reader.get(rule_url(STATE)).status_code == 200
    assert reader.post(rule_url(STATE), rule_form(rule(STATE))).status_code == 403
