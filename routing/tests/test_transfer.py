"""Transfer: the conversation leaves its agent at once and waits, with the note, in the target queue (for an agent,
offered to them first); the customer hears the queue's transfer message; the history says who moved it where and
why. Only the agent who has it, or a manager, may; a request that names no valid target says why."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from interactions.models import Interaction, InteractionState
from interactions.services.outbound import ActionRefused, send_agent_reply
from routing.models import Holiday, WorkItem, WorkItemEvent, WorkItemEventKind, WorkItemState
from routing.queue_tasks import offer_then_tell_the_wait_task
from routing.selectors import supervisor_snapshot
from routing.services.assignment import accept_offer, offer_next_items
from routing.services.queueing import OUT_OF_HOURS_PURPOSE, TRANSFER_PURPOSE, route_interaction
from routing.services.transfer import TransferInvalid, TransferNotAllowed, transfer_interaction
from routing.tests.conftest import enqueued_tasks
from routing.tests.factories import AgentProfileFactory, QueueFactory, automated_replies, customer_writes
from tests.factories import agent, manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def queues():
    general = QueueFactory(default=True)
    billing = QueueFactory(
        key="billing", name="Billing", priority=2, transfer_message="Passing you to Billing; one moment please."
    )
    return general, billing


@pytest.fixture
def alice(queues):
    alice = agent(first_name="Alice", last_name="Able")
    queues[0].agents.add(alice)
    return alice


@pytest.fixture
def bob(queues):
    """Serves Billing only, and is available."""
    bob = agent(first_name="Bob", last_name="Baker")
    queues[1].agents.add(bob)
    AgentProfileFactory(user=bob)
    return bob


@pytest.fixture
def transfer(committing):
    def transfer(**kwargs) -> WorkItem:
        with committing():
            return transfer_interaction(**kwargs)

    return transfer


def held_by(holder, text: str = "I was charged twice") -> Interaction:
    message = customer_writes(text)
    Interaction.objects.filter(pk=message.interaction_id).update(
        assigned_to=holder, state=InteractionState.WORK_IN_PROGRESS, queue="general"
    )
    return Interaction.objects.get(pk=message.interaction_id)


def test_an_agent_transfers_to_a_queue_and_lets_go_of_the_conversation_at_once(transfer, queues, alice):
    _, billing = queues
    interaction = held_by(alice)

    work_item = transfer(interaction=interaction, by=alice, to_queue=billing, note="  Charged twice in March.  ")

    interaction.refresh_from_db()
    assert (interaction.assigned_to, interaction.queue, interaction.state) == (None, "billing", "work_in_progress")
    assert (work_item.queue, work_item.state, work_item.priority) == (billing, WorkItemState.QUEUED, 2)
    assert (work_item.transfer_note, work_item.preferred_agent) == ("Charged twice in March.", None)
    assert work_item.summary == "I was charged twice"
    event = WorkItemEvent.objects.get(work_item=work_item)
    assert (event.kind, event.actor, event.agent, event.queue) == (WorkItemEventKind.TRANSFERRED, alice, None, billing)
    assert (event.reason, event.note) == ("From Alice Able", "Charged twice in March.")
    assert automated_replies(interaction, TRANSFER_PURPOSE) == ["Passing you to Billing; one moment please."]


def test_a_transfer_to_an_agent_is_offered_to_them_first_in_a_queue_they_serve(transfer, queues, alice, bob):
    interaction = held_by(alice)

    work_item = transfer(interaction=interaction, by=alice, to_agent=bob, note="Needs a refund")

    assert (work_item.preferred_agent, work_item.queue.key) == (bob, "billing")
    assert work_item.transfer_note == "Needs a refund"
    event = WorkItemEvent.objects.get(work_item=work_item, kind=WorkItemEventKind.TRANSFERRED)
    assert (event.actor, event.agent) == (alice, bob)
    assert Interaction.objects.get(pk=interaction.pk).assigned_to is None


def test_a_transfer_to_an_agent_stays_in_the_conversations_queue_when_they_serve_it(transfer, queues, alice, bob):
    general, _ = queues
    general.agents.add(bob)

    work_item = transfer(interaction=held_by(alice), by=alice, to_agent=bob)

    assert work_item.queue == general


@pytest.mark.parametrize(
    ("trait", "reason"),
    [
        ({"away": True}, "Bob Baker is away (Lunch); transfer to someone available, or to a queue."),
        ({"offline": True}, "Bob Baker is offline; transfer to someone available, or to a queue."),
    ],
)
def test_a_transfer_to_an_agent_who_is_not_available_is_refused_and_changes_nothing(
    transfer, queues, alice, bob, trait, reason
):
    bob.routing_profile.delete()
    AgentProfileFactory(user=bob, **trait)
    interaction = held_by(alice)

    with pytest.raises(ActionRefused) as refusal:
        transfer(interaction=interaction, by=alice, to_agent=bob)

    assert refusal.value.reason == reason
    assert Interaction.objects.get(pk=interaction.pk).assigned_to == alice
    assert not WorkItem.objects.exists()


def test_a_transfer_to_a_closed_queue_tells_the_customer_when_it_opens_instead(transfer, queues, alice):
    _, billing = queues
    billing.out_of_hours_message = "Billing is closed today; we answer tomorrow."
    billing.save()
    Holiday.objects.create(queue=billing, date=timezone.now().date())
    interaction = held_by(alice)

    work_item = transfer(interaction=interaction, by=alice, to_queue=billing)

    assert work_item.state == WorkItemState.QUEUED
    assert automated_replies(interaction, OUT_OF_HOURS_PURPOSE) == ["Billing is closed today; we answer tomorrow."]
    assert automated_replies(interaction, TRANSFER_PURPOSE) == []


def test_a_manager_moves_a_waiting_conversation_to_another_queue(transfer, queues, committing):
    general, billing = queues
    from routing.services.queueing import route_interaction

    message = customer_writes("Hello")
    with committing():
        waiting = route_interaction(interaction=message.interaction)
    mia = manager()

    moved = transfer(interaction=message.interaction, by=mia, to_queue=billing, note="Billing question")

    waiting.refresh_from_db()
    assert (waiting.state, waiting.queue, moved.queue) == (WorkItemState.CANCELLED, general, billing)
    assert WorkItem.objects.filter(interaction=message.interaction, state=WorkItemState.QUEUED).get() == moved
    assert WorkItemEvent.objects.filter(work_item=moved, kind=WorkItemEventKind.TRANSFERRED, actor=mia).exists()


def test_a_conversation_on_offer_is_not_transferred_from_under_the_agent(transfer, queues, alice, bob):
    general, billing = queues
    message = customer_writes("Hello")
    WorkItem.objects.create(
        interaction=message.interaction, queue=general, priority=3, state=WorkItemState.OFFERED, offered_to=alice
    )

    with pytest.raises(ActionRefused, match="It is being offered to Alice Able right now"):
        transfer(interaction=message.interaction, by=manager(), to_queue=billing)


def test_only_the_agent_who_has_it_or_a_manager_may_transfer(transfer, queues, alice, bob):
    _, billing = queues
    interaction = held_by(alice)

    with pytest.raises(TransferNotAllowed):
        transfer(interaction=interaction, by=agent(), to_queue=billing)
    with pytest.raises(TransferInvalid, match="Alice Able has this conversation already"):
        transfer(interaction=interaction, by=alice, to_agent=alice)
    assert transfer(interaction=interaction, by=manager(), to_queue=billing).queue == billing


# The API.


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_transfer(user, interaction: Interaction, body: dict):
    return client_for(user).post(
        f"/api/v1/interactions/{interaction.pk}/transfer/", body, content_type="application/json"
    )


def test_the_api_transfers_and_answers_with_the_interaction(queues, alice, bob, committing):
    interaction = held_by(alice)

    with committing() as callbacks:
        answer = post_transfer(alice, interaction, {"to_agent": bob.pk, "note": "Refund please"})

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["id"], body["assigned_to"], body["queue"]) == (interaction.pk, None, "billing")
    item = WorkItem.objects.get(interaction=interaction)
    assert item.transfer_note == "Refund please"
    # The request only enqueued the offer; the worker (here, `committing`) made it.
    queued = [kwargs for task, kwargs in enqueued_tasks(callbacks) if task is offer_then_tell_the_wait_task]
    assert queued == [{"work_item_id": item.pk}]
    assert item.offered_to == bob


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({}, {"non_field_errors": ["Transfer to an agent or to a queue: give exactly one of them."]}),
        ({"to_agent": None, "to_queue": ""}, {"non_field_errors": [
            "Transfer to an agent or to a queue: give exactly one of them."]}),
        ({"to_agent": "BOB", "to_queue": "billing"}, {"to_agent": ["A valid integer is required."]}),
        ({"to_queue": "billing", "to_agent": 1}, {"non_field_errors": [
            "Transfer to an agent or to a queue: give exactly one of them."]}),
        ({"to_agent": 2**62}, {"to_agent": [f"No active user has the id {2**62}."]}),
        ({"to_queue": "nowhere"}, {"to_queue": ["There is no queue 'nowhere'."]}),
        ({"to_queue": "billing", "note": "x" * 2001}, {"note": [
            "Ensure this field has no more than 2000 characters."]}),
        ({"to_queue": "billing", "note": "a\x00b"}, {"note": ["Null characters are not allowed."]}),
    ],
)  # fmt: skip
def test_a_transfer_request_that_names_no_valid_target_is_refused_with_the_reason(queues, alice, body, problem):
    interaction = held_by(alice)

    answer = post_transfer(alice, interaction, body)

    assert answer.status_code == 400
    assert answer.json() == problem
    assert not WorkItem.objects.exists() and Interaction.objects.get(pk=interaction.pk).assigned_to == alice


def test_a_transfer_to_someone_who_is_no_agent_is_a_bad_request(queues, alice):
    interaction = held_by(alice)

    answer = post_transfer(alice, interaction, {"to_agent": manager(first_name="Mia", last_name="Manager").pk})

    assert (answer.status_code, answer.json()) == (400, {"detail": "Mia Manager is not an agent."})


def test_the_api_refuses_a_colleague_and_a_closed_conversation_and_hides_what_does_not_exist(queues, alice):
    interaction = held_by(alice)

    colleague = post_transfer(agent(), interaction, {"to_queue": "billing"})
    Interaction.objects.filter(pk=interaction.pk).update(state=InteractionState.CLOSED_COMPLETE)
    closed = post_transfer(alice, interaction, {"to_queue": "billing"})
    missing = client_for(alice).post("/api/v1/interactions/987654/transfer/", {"to_queue": "billing"},
                                      content_type="application/json")  # fmt: skip

    assert colleague.status_code == 404  # not theirs to see (routing/audience.py), so not theirs to transfer either
    assert closed.status_code == 409 and "is closed" in closed.json()["detail"]
    assert missing.status_code == 404
    assert not WorkItem.objects.exists()


def test_the_queues_are_listed_for_the_transfer_picker_with_whether_they_are_open(queues, alice):
    general, billing = queues
    Holiday.objects.create(queue=billing, date=timezone.now().date())
    customer_writes("Hello")
    WorkItem.objects.create(interaction=Interaction.objects.get(), queue=general, priority=3)

    answer = client_for(alice).get("/api/v1/routing/queues/")
    anonymous = Client().get("/api/v1/routing/queues/")

    assert answer.status_code == 200
    rows = {row["key"]: row for row in answer.json()}
    assert list(rows) == ["billing", "general"]  # by priority
    assert (rows["general"]["is_open"], rows["general"]["waiting"], rows["general"]["is_default"]) == (True, 1, True)
    assert rows["billing"]["is_open"] is False
    assert rows["billing"]["next_opening_at"] is not None
    assert anonymous.status_code in (401, 403)


def test_the_schema_documents_transfer_and_the_queues_without_warnings(tmp_path):
    from django.core.management import call_command

    schema = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema))

    assert "/api/v1/interactions/{id}/transfer/" in schema.read_text()
    assert "/api/v1/routing/queues/" in schema.read_text()


def test_a_transfer_keeps_the_customers_wait_for_a_person_for_the_supervisors_longest_wait(transfer, queues):
    general, billing = queues
    message = customer_writes("I was charged twice")
    queued = route_interaction(interaction=message.interaction)
    started = timezone.now() - timedelta(minutes=7)
    WorkItem.objects.filter(pk=queued.pk).update(queued_at=started, waiting_since=started)

    moved = transfer(interaction=message.interaction, by=manager(), to_queue=billing)  # nobody had it: moved on

    assert (moved.waiting_since, moved.queued_at > started) == (started, True)
    [billing_row] = [row for row in supervisor_snapshot().queues if row.key == "billing"]
    assert billing_row.waiting_since == started  # not restarting from 0 s

    accept_offer(work_item=moved, agent=offered_to_someone_new(moved, billing))
    handed_on = transfer(interaction=message.interaction, by=manager(), to_queue=general)
    assert handed_on.waiting_since == started

    holder = offered_to_someone_new(handed_on, general)
    accept_offer(work_item=handed_on, agent=holder)
    send_agent_reply(interaction=message.interaction, author=holder, text="Billing will refund one of them.")
    answered = transfer(interaction=message.interaction, by=holder, to_queue=billing)
    assert answered.waiting_since == started  # still the same request, however many hands it passed through


def offered_to_someone_new(item: WorkItem, queue) -> object:
    """A newly available agent of `queue`, offered the item."""
    taker = agent()
    queue.agents.add(taker)
    AgentProfileFactory(user=taker)
    offer_next_items(agent=taker)
    assert WorkItem.objects.get(pk=item.pk).offered_to == taker
    return taker
