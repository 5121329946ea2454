"""Each interaction's routing history, as a manager reads it on the record in the admin and the workspace's side
panel reads it over the API: queued, offered to whom, rejected why, timed out, accepted, transferred with the note,
reassigned, closed; in time order, with who did it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from interactions.models import InteractionState
from routing.models import ResolutionCode, WorkItemEventKind, WrapUp
from routing.tests.factories import QueueFactory, WorkItemEventFactory, WorkItemFactory
from tests.factories import InteractionFactory, agent, manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed():
    """A conversation's way through the desk: queued, offered to Alice who rejected it, to Bob who let it time out,
    to Carol who accepted, transferred it to Dan with a note, reassigned by Maya to Erin, who closed it and wrapped
    it up."""
    start = timezone.now() - timedelta(hours=1)
    people = {name: agent(first_name=name) for name in ("Alice", "Bob", "Carol", "Dan", "Erin")}
    people["Maya"] = manager(first_name="Maya")
    billing = QueueFactory(name="Billing")
    interaction = InteractionFactory(
        assigned_to=people["Erin"],
        state=InteractionState.CLOSED_COMPLETE,
        closed_at=start + timedelta(minutes=40),
        closed_by=people["Erin"],
        state_reason="Refund issued",
    )
    WrapUp.objects.create(
        interaction=interaction,
        agent=people["Erin"],
        resolution_code=ResolutionCode.objects.create(text="Refunded"),
        notes="Sent the return label",
        at=start + timedelta(minutes=42),
    )
    item = WorkItemFactory(interaction=interaction, queue=billing)
    steps = [
        (WorkItemEventKind.QUEUED, {}),
        (WorkItemEventKind.OFFERED, {"agent": people["Alice"]}),
        (WorkItemEventKind.REJECTED, {"agent": people["Alice"], "actor": people["Alice"], "reason": "On a call"}),
        (WorkItemEventKind.OFFERED, {"agent": people["Bob"]}),
        (WorkItemEventKind.TIMED_OUT, {"agent": people["Bob"]}),
        (WorkItemEventKind.OFFERED, {"agent": people["Carol"]}),
        (WorkItemEventKind.ACCEPTED, {"agent": people["Carol"], "actor": people["Carol"]}),
        (
            WorkItemEventKind.TRANSFERRED,
            {"agent": people["Dan"], "actor": people["Carol"], "note": "Needs <b>billing</b> rights"},
        ),
        (WorkItemEventKind.REASSIGNED, {"agent": people["Erin"], "actor": people["Maya"]}),
    ]
    # Recorded out of order: the history is told by time, not by row.
    for minute, (kind, fields) in reversed(list(enumerate(steps))):
        WorkItemEventFactory(work_item=item, kind=kind, at=start + timedelta(minutes=minute), **fields)
    return interaction, people


EXPECTED = [
    ("queued", None, None, "", ""),
    ("offered", "Alice", None, "", ""),
    ("rejected", "Alice", "Alice", "On a call", ""),
    ("offered", "Bob", None, "", ""),
    ("timed_out", "Bob", None, "", ""),
    ("offered", "Carol", None, "", ""),
    ("accepted", "Carol", "Carol", "", ""),
    ("transferred", "Dan", "Carol", "", "Needs <b>billing</b> rights"),
    ("reassigned", "Erin", "Maya", "", ""),
    ("closed", "Erin", "Erin", "Refund issued", ""),
    ("wrapped_up", None, "Erin", "Refunded", "Sent the return label"),
]


def test_the_api_tells_the_routing_history_in_time_order_with_who_did_it(routed):
    interaction, people = routed
    client = APIClient()
    client.force_authenticate(people["Erin"])

    answer = client.get(f"/api/v1/interactions/{interaction.pk}/routing-history/")

    assert answer.status_code == 200
    entries = answer.json()
    assert [(e["kind"], e["agent"], e["actor"], e["reason"], e["note"]) for e in entries] == EXPECTED
    assert (entries[-2]["label"], entries[-1]["label"]) == ("Closed complete", "Wrapped up")
    assert entries[4]["label"] == "Offer timed out" and entries[0]["queue"] == "Billing"


def test_the_routing_history_of_an_interaction_nobody_may_see_is_not_found():
    client = APIClient()
    client.force_authenticate(agent())

    assert client.get("/api/v1/interactions/999999/routing-history/").status_code == 404


def test_a_manager_reads_the_routing_history_on_the_interaction_record(routed, client):
    interaction, people = routed
    client.force_login(people["Maya"])

    page = client.get(f"/admin/interactions/interaction/{interaction.pk}/change/")

    assert page.status_code == 200
    html = page.content.decode()
    history = html[html.index('data-testid="routing-history"') :]
    history = history[: history.index("</table>")]
    rows = history.split("<tr")[2:]  # after the header row
    assert [row.split('data-kind="')[1].split('"')[0] for row in rows] == [kind for kind, *_ in EXPECTED]
    assert "On a call" in rows[2] and "Offer timed out" in rows[4]
    assert "Needs &lt;b&gt;billing&lt;/b&gt; rights" in rows[7]  # escaped, never markup
    assert ">Carol<" in rows[7] and ">Dan<" in rows[7]
    assert ">Maya<" in rows[8] and "Closed complete" in rows[9] and "Refund issued" in rows[9]
    assert "Wrapped up" in rows[10] and "Sent the return label" in rows[10]


def test_an_interaction_never_routed_says_so_on_its_record(client):
    client.force_login(manager())
    interaction = InteractionFactory()

    page = client.get(f"/admin/interactions/interaction/{interaction.pk}/change/")

    assert "Never routed" in page.content.decode()


@pytest.mark.parametrize("size", [5, 50])
def test_the_routing_history_costs_the_same_queries_for_5_and_50_events(size, django_assert_max_num_queries):
    interaction = InteractionFactory()
    item = WorkItemFactory(interaction=interaction)
    for _ in range(size):
        WorkItemEventFactory(work_item=item, kind=WorkItemEventKind.OFFERED, agent=agent(), actor=agent())
    client = APIClient()
    client.force_authenticate(manager())

    with django_assert_max_num_queries(5):  # the role check, the interaction, its events, its wrap-up
        answer = client.get(f"/api/v1/interactions/{interaction.pk}/routing-history/")

    assert len(answer.json()) == size
