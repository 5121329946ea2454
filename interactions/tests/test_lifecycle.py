"""An interaction's states: in progress, on hold while waiting for the customer, resumed, closed with a reason; and
the lifecycle listeners routing hears every change of state or agent through."""

import pytest
from django.db import IntegrityError, transaction

from interactions.models import Interaction, InteractionState
from interactions.services.inbound import record_inbound_message
from interactions.services.lifecycle import (
    DEFAULT_STATE_REASONS,
    ReasonRefused,
    close_interaction,
    put_on_hold,
    resume_interaction,
)
from interactions.services.lifecycle_listeners import register_lifecycle_listener, unregister_lifecycle_listener
from interactions.services.outbound import ActionRefused, send_agent_reply
from interactions.tests.core_events import inbound_message
from tests.factories import InteractionFactory, agent, manager

pytestmark = pytest.mark.django_db

CUSTOMER = "16505551234"


@pytest.fixture
def in_progress() -> Interaction:
    """A customer wrote and an agent answered: it is theirs (`assigned_to`) to hold, resume and close."""
    first = record_inbound_message(event=inbound_message(sender_id=CUSTOMER, text="My parcel is damaged."))
    send_agent_reply(interaction=first.interaction, author=agent(), text="Could you send a photo of it?")
    return Interaction.objects.get(pk=first.interaction_id)


@pytest.fixture
def heard() -> list[tuple[int, str, str, int | None, int | None]]:
    """What a lifecycle listener hears: (interaction, previous state, state, previous agent, agent)."""
    calls = []

    def listener(interaction, previous_state, previous_assignee_id):
        calls.append(
            (interaction.pk, previous_state, interaction.state, previous_assignee_id, interaction.assigned_to_id)
        )

    register_lifecycle_listener(listener)
    yield calls
    unregister_lifecycle_listener(listener)


def test_an_agent_puts_an_interaction_in_progress_on_hold_with_a_reason(in_progress):
    revision = in_progress.revision

    on_hold = put_on_hold(
        interaction=in_progress, by=in_progress.assigned_to, reason="  Waiting for a photo\n of the parcel "
    )

    on_hold.refresh_from_db()
    assert (on_hold.state, on_hold.hold_reason) == (InteractionState.ON_HOLD, "Waiting for a photo of the parcel")
    assert on_hold.is_open
    assert on_hold.revision == revision + 1
    assert on_hold.assigned_to_id == in_progress.assigned_to_id  # still theirs


@pytest.mark.parametrize("reason", ["", "   ", "x" * 256])
def test_a_hold_without_a_reason_or_with_one_too_long_is_refused(in_progress, reason):
    with pytest.raises(ReasonRefused):
        put_on_hold(interaction=in_progress, by=in_progress.assigned_to, reason=reason)

    in_progress.refresh_from_db()
    assert in_progress.state == InteractionState.WORK_IN_PROGRESS


@pytest.mark.parametrize(
    ("state", "refusal"),
    [
        (InteractionState.NEW, "only one in progress"),
        (InteractionState.ON_HOLD, "already on hold"),
        (InteractionState.CLOSED_COMPLETE, "only one in progress"),
    ],
)
def test_only_an_interaction_in_progress_can_be_put_on_hold(state, refusal):
    interaction = InteractionFactory(state=state, hold_reason="A receipt" if state == InteractionState.ON_HOLD else "")

    with pytest.raises(ActionRefused, match=refusal):
        put_on_hold(interaction=interaction, by=agent(), reason="A photo")


def test_managers_may_not_put_on_hold_resume_or_close(in_progress):
    supervisor = manager()

    with pytest.raises(ActionRefused, match="Only agents"):
        put_on_hold(interaction=in_progress, by=supervisor, reason="A photo")
    with pytest.raises(ActionRefused, match="Only agents"):
        close_interaction(interaction=in_progress, by=supervisor, state=InteractionState.CLOSED_COMPLETE)
    put_on_hold(interaction=in_progress, by=in_progress.assigned_to, reason="A photo")
    with pytest.raises(ActionRefused, match="Only agents"):
        resume_interaction(interaction=in_progress, by=supervisor)


def test_the_agent_resumes_an_interaction_on_hold(in_progress):
    put_on_hold(interaction=in_progress, by=in_progress.assigned_to, reason="A photo")

    resumed = resume_interaction(interaction=in_progress, by=in_progress.assigned_to)

    resumed.refresh_from_db()
    assert (resumed.state, resumed.hold_reason) == (InteractionState.WORK_IN_PROGRESS, "")


def test_resuming_an_interaction_that_is_not_on_hold_is_refused(in_progress):
    with pytest.raises(ActionRefused, match="not on hold"):
        resume_interaction(interaction=in_progress, by=in_progress.assigned_to)


def test_the_customers_message_resumes_an_interaction_on_hold_and_lands_in_it(in_progress):
    put_on_hold(interaction=in_progress, by=in_progress.assigned_to, reason="A photo")

    answer = record_inbound_message(event=inbound_message(sender_id=CUSTOMER, text="Here it is."))

    assert answer.interaction_id == in_progress.pk  # on hold is open: no second conversation
    in_progress.refresh_from_db()
    assert (in_progress.state, in_progress.hold_reason) == (InteractionState.WORK_IN_PROGRESS, "")
    assert in_progress.unread_count == 1


def test_an_agents_reply_keeps_the_interaction_on_hold(in_progress):
    put_on_hold(interaction=in_progress, by=in_progress.assigned_to, reason="A photo")

    send_agent_reply(interaction=in_progress, author=in_progress.assigned_to, text="Any time today is fine.")

    in_progress.refresh_from_db()
    assert in_progress.state == InteractionState.ON_HOLD


def test_an_interaction_on_hold_is_open_so_the_customer_has_no_second_one(in_progress):
    put_on_hold(interaction=in_progress, by=in_progress.assigned_to, reason="A photo")

    with pytest.raises(IntegrityError), transaction.atomic():
        InteractionFactory(channel_user=in_progress.channel_user)


@pytest.mark.parametrize("state", [InteractionState.CLOSED_COMPLETE, InteractionState.CLOSED_ABANDONED])
def test_an_agent_closes_with_a_reason_and_is_recorded_as_who_closed(in_progress, state):
    person = in_progress.assigned_to

    closed = close_interaction(interaction=in_progress, by=person, state=state, state_reason="Refund issued")

    closed.refresh_from_db()
    assert (closed.state, closed.state_reason, closed.closed_by) == (state, "Refund issued", person)
    assert closed.closed_at is not None and not closed.is_open


@pytest.mark.parametrize("state", [InteractionState.CLOSED_COMPLETE, InteractionState.CLOSED_ABANDONED])
def test_a_closure_without_a_reason_records_the_states_default(in_progress, state):
    closed = close_interaction(interaction=in_progress, by=in_progress.assigned_to, state=state)

    closed.refresh_from_db()
    assert closed.state_reason == DEFAULT_STATE_REASONS[state]


def test_an_interaction_on_hold_closes_and_forgets_its_hold_reason(in_progress):
    put_on_hold(interaction=in_progress, by=in_progress.assigned_to, reason="A photo")

    closed = close_interaction(
        interaction=in_progress, by=in_progress.assigned_to, state=InteractionState.CLOSED_ABANDONED
    )

    closed.refresh_from_db()
    assert (closed.state, closed.hold_reason) == (InteractionState.CLOSED_ABANDONED, "")


def test_the_system_closes_only_with_a_reason_of_its_own_and_owes_no_wrap_up(in_progress):
    with pytest.raises(ReasonRefused):
        close_interaction(interaction=in_progress, by=None, state=InteractionState.CLOSED_ABANDONED)

    closed = close_interaction(
        interaction=in_progress,
        by=None,
        state=InteractionState.CLOSED_ABANDONED,
        state_reason="customer stopped answering",
    )

    closed.refresh_from_db()
    assert (closed.closed_by, closed.state_reason) == (None, "customer stopped answering")


def test_closing_twice_or_into_an_open_state_is_refused(in_progress):
    with pytest.raises(ActionRefused, match="not a closed state"):
        close_interaction(interaction=in_progress, by=in_progress.assigned_to, state=InteractionState.ON_HOLD)
    close_interaction(interaction=in_progress, by=in_progress.assigned_to, state=InteractionState.CLOSED_COMPLETE)
    with pytest.raises(ActionRefused, match="already closed"):
        close_interaction(interaction=in_progress, by=in_progress.assigned_to, state=InteractionState.CLOSED_COMPLETE)


def test_lifecycle_listeners_hear_each_change_of_state_or_agent_after_it_commits(
    heard, django_capture_on_commit_callbacks
):
    person = agent()
    with django_capture_on_commit_callbacks(execute=True):
        first = record_inbound_message(event=inbound_message(sender_id=CUSTOMER, text="Hello"))
    interaction = first.interaction
    assert heard == []  # a new interaction is no change of state

    with django_capture_on_commit_callbacks(execute=False) as pending:
        send_agent_reply(interaction=interaction, author=person, text="Hi! How can I help?")
    assert heard == []  # nothing before the commit
    for callback in pending:
        callback()
    with django_capture_on_commit_callbacks(execute=True):
        send_agent_reply(interaction=interaction, author=person, text="Still here.")  # no change: not announced
        put_on_hold(interaction=interaction, by=person, reason="Order number")
    with django_capture_on_commit_callbacks(execute=True):
        record_inbound_message(event=inbound_message(sender_id=CUSTOMER, text="It is 1234."))
    with django_capture_on_commit_callbacks(execute=True):
        close_interaction(interaction=interaction, by=person, state=InteractionState.CLOSED_COMPLETE)

    assert heard == [
        (interaction.pk, InteractionState.NEW, InteractionState.WORK_IN_PROGRESS, None, person.pk),
        (interaction.pk, InteractionState.WORK_IN_PROGRESS, InteractionState.ON_HOLD, person.pk, person.pk),
        (interaction.pk, InteractionState.ON_HOLD, InteractionState.WORK_IN_PROGRESS, person.pk, person.pk),
        (interaction.pk, InteractionState.WORK_IN_PROGRESS, InteractionState.CLOSED_COMPLETE, person.pk, person.pk),
    ]


def test_a_listener_hears_nothing_of_a_change_that_was_rolled_back(
    in_progress, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        put_on_hold(interaction=in_progress, by=in_progress.assigned_to, reason="A photo")
        raise RuntimeError("the request failed after the hold")

    assert heard == []
    in_progress.refresh_from_db()
    assert in_progress.state == InteractionState.WORK_IN_PROGRESS


def test_a_failing_listener_neither_undoes_the_change_nor_silences_the_others(
    in_progress, heard, django_capture_on_commit_callbacks, caplog
):
    def broken(interaction, previous_state, previous_assignee_id):
        raise ValueError("routing is down")

    register_lifecycle_listener(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            put_on_hold(interaction=in_progress, by=in_progress.assigned_to, reason="A photo")
    finally:
        unregister_lifecycle_listener(broken)

    in_progress.refresh_from_db()
    assert in_progress.state == InteractionState.ON_HOLD
    assert len(heard) == 1
    assert "routing is down" in caplog.text
