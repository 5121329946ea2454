"""A case's state change is announced once, even when the task that would announce it was lost."""

from datetime import timedelta

import pytest
from django.db import transaction

from customer_service.models import Case, CaseState
from customer_service.services.cases import change_case_state, open_case, unannounced_case_changes
from interactions.models import Notification, NotificationOutcome
from tests.factories import ChannelUserFactory

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
