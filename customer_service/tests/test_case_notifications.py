"""A case's state change is announced once, even when the task that would announce it was lost."""

from datetime import timedelta

import pytest

from customer_service.models import CaseState
from customer_service.services import change_case_state, open_case, unannounced_case_changes
from interactions.models import Notification, NotificationOutcome
from tests.factories import ChannelUserFactory

pytestmark = pytest.mark.django_db


def test_the_sweep_announces_a_state_change_that_has_no_notification_on_record():
    # With plain `db` tests nothing runs on commit: exactly a change whose enqueue was lost.
    case = change_case_state(
        case=open_case(channel_user=ChannelUserFactory(), title="Broken armrest"), state="resolved"
    )

    assert unannounced_case_changes(older_than=timedelta(0)) == [case]


def test_the_sweep_leaves_a_change_that_was_announced_or_refused_alone():
    customer = ChannelUserFactory()
    case = change_case_state(case=open_case(channel_user=customer, title="Broken armrest"), state=CaseState.RESOLVED)
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
