"""An agent's reply: written to the outbox at once, or refused with a reason the agent can act on."""

from datetime import timedelta
from functools import partial

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from interactions.models import Direction, InteractionState, Message, MessageKind, MessageStatus
from interactions.services.lifecycle import close_interaction
from interactions.services.outbound import ActionRefused, send_agent_reply
from tests.factories import ChannelUserFactory, InteractionFactory, UserFactory, agent, manager

pytestmark = pytest.mark.django_db

MAX_TEXT_LENGTH = 4096  # WhatsApp's, as its adapter states it (the factories' interactions are WhatsApp's)


def refusal(**arguments) -> str:
    with pytest.raises(ActionRefused) as refused:
        send_agent_reply(**arguments)
    return refused.value.reason


def test_a_reply_inside_the_window_is_queued_in_the_outbox(django_capture_on_commit_callbacks):
    interaction = InteractionFactory()
    author = agent()

    with django_capture_on_commit_callbacks() as callbacks:
        message = send_agent_reply(interaction=interaction, author=author, text="  It ships today.  ")

    assert (message.direction, message.kind, message.status, message.author) == (
        Direction.OUTBOUND,
        MessageKind.TEXT,
        MessageStatus.QUEUED,
        author,
    )
    assert message.text == "It ships today."
    assert message.external_id is None
    assert message.next_attempt_at is not None
    scheduled = [(callback.func.__name__, callback.args) for callback in callbacks if isinstance(callback, partial)]
    assert ("_enqueue_delivery", (message.pk,)) in scheduled  # delivery is handed to a task only after commit


def test_the_first_reply_takes_the_interaction_into_work_and_assigns_it_to_its_author():
    interaction = InteractionFactory(unread_count=3)
    author = agent()

    send_agent_reply(interaction=interaction, author=author, text="Hello!")

    interaction.refresh_from_db()
    assert (interaction.state, interaction.assigned_to, interaction.unread_count) == (
        InteractionState.WORK_IN_PROGRESS,
        author,
        0,
    )


def test_a_reply_bumps_the_revision_by_one_and_is_stamped_with_it():
    interaction = InteractionFactory()
    before = interaction.revision

    message = send_agent_reply(interaction=interaction, author=agent(), text="On its way.")

    interaction.refresh_from_db()
    assert interaction.revision == before + 1
    assert message.revision == interaction.revision
    assert message.sequence == interaction.last_sequence == 1


def test_a_reply_after_the_window_closed_is_refused_with_when_it_closed():
    channel_user = ChannelUserFactory(window_closed=True)
    interaction = InteractionFactory(channel_user=channel_user)
    closes_at = channel_user.last_inbound_at + timedelta(hours=24)

    reason = refusal(interaction=interaction, author=agent(), text="Sorry for the wait.")

    assert reason == (
        f"The 24-hour customer service window closed at {closes_at:%Y-%m-%d %H:%M} UTC; "
        "only a template may be sent until the customer writes again."
    )


@pytest.mark.parametrize(
    ("since_last_inbound", "allowed"),
    [(timedelta(hours=23, minutes=59, seconds=50), True), (timedelta(hours=24, seconds=1), False)],
    ids=["just inside", "just outside"],
)
def test_the_window_is_judged_by_the_customers_last_message(since_last_inbound, allowed):
    channel_user = ChannelUserFactory(last_inbound_at=timezone.now() - since_last_inbound)
    interaction = InteractionFactory(channel_user=channel_user)

    if allowed:
        send_agent_reply(interaction=interaction, author=agent(), text="Still here.")
    else:
        assert "window closed" in refusal(interaction=interaction, author=agent(), text="Still here.")


def test_a_reply_to_a_customer_who_never_wrote_is_refused():
    interaction = InteractionFactory(channel_user=ChannelUserFactory(last_inbound_at=None))

    reason = refusal(interaction=interaction, author=agent(), text="Hi!")

    assert reason == "The customer has not written to us yet, so only a template may be sent."


@pytest.mark.parametrize("text", ["", " ", "\n\t  \n"], ids=["empty", "a space", "whitespace"])
def test_an_empty_reply_is_refused(text):
    assert refusal(interaction=InteractionFactory(), author=agent(), text=text) == "The message is empty."


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("x" * MAX_TEXT_LENGTH, True),
        ("  " + "x" * MAX_TEXT_LENGTH + "\n", True),
        ("x" * (MAX_TEXT_LENGTH + 1), False),
    ],
    ids=["4096", "4096 with surrounding whitespace", "4097"],
)
def test_a_reply_may_be_at_most_4096_characters(text, allowed):
    interaction = InteractionFactory()

    if allowed:
        assert len(send_agent_reply(interaction=interaction, author=agent(), text=text).text) == 4096
    else:
        assert refusal(interaction=interaction, author=agent(), text=text) == (
            "The message is 4097 characters long; at most 4096 are allowed."
        )


def test_the_4096_limit_counts_characters_not_bytes():
    text = "é" * MAX_TEXT_LENGTH

    message = send_agent_reply(interaction=InteractionFactory(), author=agent(), text=text)

    assert message.text == text


@pytest.mark.parametrize("state", [InteractionState.CLOSED_COMPLETE, InteractionState.CLOSED_ABANDONED])
def test_a_reply_to_a_closed_interaction_is_refused(state):
    interaction = InteractionFactory()
    close_interaction(interaction=interaction, by=agent(), state=state)

    reason = refusal(interaction=interaction, author=agent(), text="One more thing…")

    assert reason == f"Interaction {interaction.number} is closed."


def test_a_reply_is_refused_when_the_interaction_was_closed_after_it_was_loaded():
    interaction = InteractionFactory()
    stale_copy = type(interaction).objects.get(pk=interaction.pk)
    close_interaction(interaction=interaction, by=agent(), state=InteractionState.CLOSED_COMPLETE)

    assert refusal(interaction=stale_copy, author=agent(), text="Hello?").endswith("is closed.")


@pytest.mark.parametrize(
    "make_author",
    [manager, UserFactory, lambda: UserFactory(role="admin"), AnonymousUser],
    ids=["manager", "no role", "admin", "anonymous"],
)
def test_only_agents_may_reply(make_author):
    reason = refusal(interaction=InteractionFactory(), author=make_author(), text="Hello")

    assert reason == "Only agents may send messages."


def test_a_refused_reply_writes_nothing():
    interaction = InteractionFactory(channel_user=ChannelUserFactory(window_closed=True), unread_count=2)
    before = (interaction.revision, interaction.last_sequence, interaction.state, interaction.assigned_to_id)

    refusal(interaction=interaction, author=agent(), text="Hello")

    interaction.refresh_from_db()
    assert not Message.objects.exists()
    assert (interaction.revision, interaction.last_sequence, interaction.state, interaction.assigned_to_id) == before
    assert interaction.unread_count == 2
