"""The case admin against a state change made while it saves, on PostgreSQL: it writes only what the admin
changed, so the state and its count of changes (the customer's notification key) are not written back as read."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from django.test import Client

from customer_service.services.cases import change_case_state, open_case
from customer_service.tests.test_admin import CASE_INLINES, with_inlines
from interactions.roles import ADMIN
from interactions.tests.row_races import submit_until_it_queues
from tests.factories import ChannelUserFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are PostgreSQL's (SQLite locks the whole database)"
    ),
]


def test_an_admin_editing_the_description_keeps_a_state_change_committed_meanwhile():
    case = open_case(short_description="Broken armrest", channel_user=ChannelUserFactory())
    admin = Client()
    admin.force_login(UserFactory(role=ADMIN, is_staff=True))

    def edit_description():
        return admin.post(
            f"/admin/customer_service/case/{case.pk}/change/",
            with_inlines({"short_description": "Broken armrest (left)", "priority": 3, "state": "new"}, *CASE_INLINES),
        )

    with ThreadPoolExecutor(max_workers=1) as pool:
        with transaction.atomic():
            change_case_state(case, state="resolved")  # holds the case's row until it commits
            editing = submit_until_it_queues(pool, edit_description)
        assert editing.result(timeout=30).status_code == 302

    case.refresh_from_db()
    assert (case.short_description, case.state, case.state_changes) == ("Broken armrest (left)", "resolved", 1)
