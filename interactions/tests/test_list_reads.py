"""The other lists cost the same number of queries for a few rows as for many: customers found by a search (with
their consent and open conversation), the templates offered to a customer, a consent history, an admin transcript."""

import pytest
from django.db import connection

from consent.models import ConsentStatus
from interactions.selectors import customers_matching
from interactions.tests.timelines import client_for, conversation
from tests.consent_factories import opted_in, opted_out, template
from tests.factories import ChannelUserFactory, InteractionFactory, agent, manager

pytestmark = pytest.mark.django_db

# The permission check, the customer, the rows, and what each row shows read once for all of them.
MAX_QUERIES = 8
RECORD_PAGE_MAX_QUERIES = 14


@pytest.mark.parametrize("size", [5, 20])
def test_a_customer_search_costs_the_same_queries_for_5_and_20_customers(size, django_assert_max_num_queries):
    for number in range(size):
        customer = ChannelUserFactory(display_name=f"Lee {number}")
        opted_in(customer)
        if number % 2:
            opted_out(customer)
            InteractionFactory(channel_user=customer)

    client = client_for(agent())
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get("/api/v1/channel-users/?search=Lee")

    results = response.json()["results"]
    assert len(results) == size
    statuses = {result["display_name"]: result["consent"]["status"] for result in results}
    assert statuses["Lee 0"] == ConsentStatus.OPTED_IN
    assert statuses["Lee 1"] == ConsentStatus.OPTED_OUT  # the latest record, not the first
    assert [bool(result["open_interaction"]) for result in results].count(True) == size // 2


@pytest.mark.parametrize("size", [5, 50])
def test_the_templates_offered_to_a_customer_cost_the_same_queries_for_5_and_50(size, django_assert_max_num_queries):
    customer = ChannelUserFactory()
    opted_in(customer)
    for number in range(size):
        template(customer, name=f"update_{number}", category="marketing" if number % 2 else "utility")

    client = client_for(agent())
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(f"/api/v1/channel-users/{customer.pk}/outreach/")

    assert len(response.json()["templates"]) == size


@pytest.mark.parametrize("size", [5, 50])
def test_a_consent_history_costs_the_same_queries_for_5_and_50_records(size, django_assert_max_num_queries):
    customer = ChannelUserFactory()
    for number in range(size):
        opted_in(customer, by=agent()) if number % 2 else opted_out(customer)

    client = client_for(agent())
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(f"/api/v1/channel-users/{customer.pk}/consent/")

    assert len(response.json()["history"]) == size
    assert response.json()["consent"]["status"] == (ConsentStatus.OPTED_OUT if size % 2 else ConsentStatus.OPTED_IN)


@pytest.mark.parametrize("size", [5, 50])
def test_an_interactions_admin_transcript_costs_the_same_queries_for_5_and_50_messages(
    size, client, django_assert_max_num_queries
):
    interaction = conversation(size)
    client.force_login(manager(is_superuser=True))

    # The session, the user, the record, its permissions and role, the queue's and number's names, the transcript,
    # the routing history (events, wrap-ups), the linked cases, the consent history: none grows with the messages.
    with django_assert_max_num_queries(RECORD_PAGE_MAX_QUERIES):
        response = client.get(f"/admin/interactions/interaction/{interaction.pk}/change/")

    assert response.status_code == 200
    assert response.content.count(b'data-testid="transcript-entry"') == interaction.messages.count()


def test_a_customer_search_is_answered_from_the_trigram_indexes_on_postgresql():
    """A name or number fragment matches anywhere, which no b-tree serves: without the indexes of migration 0012
    PostgreSQL reads every customer (11 ms at 50,000; bench/reads.py). On a small table the planner may still
    prefer reading it through, so sequential scans are ruled out here to show the index fits the query."""
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's; SQLite reads the table")
    by_name = customers_matching(needle="Lee 4242", digits="4242")
    by_number = customers_matching(needle="+49 151 1234", digits="491511234")

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plans = []
        for query in (by_name, by_number):
            sql, params = query.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))

    assert all("channel_user_name_trigrams" in plan and "channel_user_number_trigrams" in plan for plan in plans)
