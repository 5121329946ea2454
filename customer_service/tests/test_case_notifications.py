"""A case's state change, and an agent's comment the customer may see, are announced once, even when the task
that would announce them was lost; the channel's rules decide how (free-form in the window, else the template)."""

from datetime import timedelta

import pytest
from django.db import transaction

from customer_service.models import Case, CaseState
from customer_service.services.cases import (
    add_case_comment,
    change_case_state,
    open_case,
    unannounced_case_changes,
    unannounced_comments,
)
from interactions.models import Notification, NotificationOutcome
from tests.consent_factories import opted_in, template
from tests.factories import ChannelUserFactory, agent

pytestmark = pytest.mark.django_db


def test_the_sweep_announces_a_state_change_that_has_no_notification_on_record():
    # With plain `db` tests nothing runs on commit: exactly a change whose enqueue was lost.
    case = change_case_state(
        case=open_case(channel_user=ChannelUserFactory(), short_description="Broken armrest"), state="resolved"
    )

    assert unannounced_case_changes(older_than=timedelta(0)) == [case]


def test_the_sweep_leaves_a_change_that_was_announced_or_refused_alone():
    customer = ChannelUserFactory()
    case = change_case_state(
        case=open_case(channel_user=customer, short_description="Broken armrest"), state=CaseState.RESOLVED
    )
    Notification.objects.create(
        idempotency_key=f"case:{case.pk}:state-change:{case.state_changes}",
        channel_user=customer,
        recipient=customer.external_id,
        reason="Case resolved",
        fingerprint="x",
        outcome=NotificationOutcome.REFUSED,
        refusal_reason="The customer has not opted in.",
    )

    assert unannounced_case_changes(older_than=timedelta(0)) == []


def test_a_state_change_stands_when_its_announcement_fails_after_the_commit(django_capture_on_commit_callbacks):
    case = open_case(channel_user=ChannelUserFactory(), short_description="Broken armrest")

    with django_capture_on_commit_callbacks(execute=True) as announcements:
        transaction.on_commit(Case.objects.filter(pk=case.pk).delete)  # the announcement then finds no case
        changed = change_case_state(case, state=CaseState.RESOLVED)

    assert len(announcements) == 2
    assert (changed.state, changed.state_changes) == (CaseState.RESOLVED, 1)


def test_the_sweep_tells_an_agents_comment_but_never_a_work_note_or_the_customers_own_words():
    case = open_case(channel_user=ChannelUserFactory(), short_description="Broken armrest")
    alice = agent()
    told = add_case_comment(case, text="A new armrest ships today.", author=alice)
    add_case_comment(case, text="Supplier confirmed by phone.", author=alice, internal=True)
    add_case_comment(case, text="Thanks!")  # the customer's, through the virtual agent

    assert unannounced_comments(older_than=timedelta(0)) == [told.pk]


def test_a_comment_reaches_the_customer_whole_in_their_window(tasks_run_here, django_capture_on_commit_callbacks):
    customer = ChannelUserFactory(external_id="4915112345678", display_name="Daniel")
    opted_in(customer)
    case = open_case(channel_user=customer, short_description="Broken armrest")

    with django_capture_on_commit_callbacks(execute=True):
        comment = add_case_comment(case, text="A new armrest ships today.\nTracking: 12345", author=agent())

    notification = Notification.objects.get(idempotency_key=f"case-comment:{comment.pk}")
    assert (notification.outcome, notification.message.kind) == (NotificationOutcome.SENT, "text")
    assert notification.message.text == (
        "Hello Daniel, a new comment on your case CS0001001 (Broken armrest):\n\nA new armrest ships today.\n"
        "Tracking: 12345"
    )


def test_outside_the_window_a_comment_goes_as_its_template_on_one_line(
    tasks_run_here, django_capture_on_commit_callbacks
):
    customer = ChannelUserFactory(external_id="4915112345678", display_name="Daniel", window_closed=True)
    opted_in(customer)
    template(customer, name="case_comment", header="", buttons=[], body="Hello {{1}}, case {{2}}: {{3}}")
    case = open_case(channel_user=customer, short_description="Broken armrest")

    with django_capture_on_commit_callbacks(execute=True):
        add_case_comment(case, text="A new armrest ships today.\nTracking: 12345", author=agent())

    message = Notification.objects.get().message
    assert (message.kind, message.text) == (
        "template",
        "Hello Daniel, case CS0001001: A new armrest ships today. Tracking: 12345",
    )


def test_a_work_note_tells_nobody(tasks_run_here, django_capture_on_commit_callbacks):
    customer = ChannelUserFactory()
    opted_in(customer)
    case = open_case(channel_user=customer, short_description="Broken armrest")

    with django_capture_on_commit_callbacks(execute=True):
        add_case_comment(case, text="Supplier confirmed by phone.", author=agent(), internal=True)

    assert not Notification.objects.exists()
