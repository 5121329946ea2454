"""Every hot query is answered from an index, not by reading a table through, once the tables are realistically
large (bench/explain_hot_queries.py prints the same plans on 100k interactions)."""

import pytest
from django.db import connection

from bench.hot_queries import explained, fill, hot_queries

pytestmark = pytest.mark.django_db

# Enough rows that PostgreSQL prefers an index wherever one serves; few enough to fill in about a second.
INTERACTIONS = 20_000


@pytest.fixture(scope="module")
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's; CI runs PostgreSQL")


@pytest.fixture
def sample(postgresql_only):
    return fill(interactions=INTERACTIONS)


def test_every_hot_query_is_answered_from_an_index(sample):
    sequential = {}
    for name, run in hot_queries(sample).items():
        plans = list(explained(run))
        assert plans, f"{name} ran no query on our tables"
        for sql, plan in plans:
            if "Seq Scan on interactions_" in plan:
                sequential[name] = f"{sql}\n{plan}"

    assert sequential == {}
