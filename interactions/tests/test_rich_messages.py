"""Rich messages in the core: reactions fold onto their target with a new revision, refusals name every problem,
and a failed send is retried only when a retry can help, once."""

import pytest
from django.utils import timezone

from interactions.models import ChannelUser, Direction, Message, MessageKind, MessageStatus
from interactions.rich_content import ContentRefused
from interactions.selectors import message_for_timeline, messages_changed_after, timeline_changes
from interactions.serializers import MessageSerializer
from interactions.services.inbound import record_inbound_message
from interactions.services.lifecycle import close_interaction
from interactions.services.outbound import ActionRefused, retry_failed_message, send_agent_reply
from interactions.services.rich_outbound import send_agent_rich_message
from interactions.tests.core_events import inbound_message
from tests.consent_factories import opted_in, template
from tests.factories import InteractionFactory, agent

pytestmark = pytest.mark.django_db


def customer_message(text: str = "Is it in stock?") -> Message:
    return record_inbound_message(event=inbound_message(text=text))


def test_a_customers_reaction_folds_onto_its_target_and_catch_up_carries_it():
    target = customer_message()
    ours = send_agent_reply(interaction=target.interaction, author=agent(), text="Yes, in blue.")
    Message.objects.filter(pk=ours.pk).update(external_id="wamid.OURS", status=MessageStatus.DELIVERED)
    cursor = target.interaction.messages.order_by("-revision").first().revision

    record_inbound_message(
        event=inbound_message(
            kind=MessageKind.REACTION, text="", content={"emoji": "❤️"}, reply_to_external_id="wamid.OURS"
        )
    )

    changed = {
        message.pk: MessageSerializer(message).data
        for message in timeline_changes(interaction=target.interaction, after=cursor).messages
    }
    assert changed[ours.pk]["reactions"] == [
        {
            "direction": "inbound",
            "emoji": "❤️",
            "author": None,
            "status": "received",
            "message_id": changed[ours.pk]["reactions"][0]["message_id"],
        }
    ]
    reaction = Message.objects.get(kind=MessageKind.REACTION)
    assert (reaction.reply_to_id, reaction.text) == (ours.pk, "Reacted ❤️")
    assert changed[ours.pk]["revision"] > reaction.revision  # the target changed after the reaction was added


def test_a_reaction_to_a_message_of_an_earlier_interaction_bumps_that_interactions_revision():
    target = customer_message()
    ours = send_agent_reply(interaction=target.interaction, author=agent(), text="Your order shipped.")
    Message.objects.filter(pk=ours.pk).update(external_id="wamid.OLD")
    earlier = target.interaction
    close_interaction(interaction=earlier, by=ours.author, state="closed_complete")
    earlier.refresh_from_db()
    cursor = earlier.revision

    reaction = record_inbound_message(
        event=inbound_message(
            kind=MessageKind.REACTION, text="", content={"emoji": "👍"}, reply_to_external_id="wamid.OLD"
        )
    )

    earlier.refresh_from_db()
    assert reaction.interaction_id != earlier.pk  # the reaction opened a new interaction
    assert earlier.revision == cursor + 1
    assert [m.pk for m in messages_changed_after(interaction=earlier, revision=cursor)] == [ours.pk]


def test_a_removed_reaction_leaves_the_target_without_it():
    target = customer_message()
    ours = send_agent_reply(interaction=target.interaction, author=agent(), text="Yes")
    Message.objects.filter(pk=ours.pk).update(external_id="wamid.OURS")
    for emoji in ("👍", ""):
        record_inbound_message(
            event=inbound_message(
                kind=MessageKind.REACTION, text="", content={"emoji": emoji}, reply_to_external_id="wamid.OURS"
            )
        )

    assert MessageSerializer(message_for_timeline(message_id=ours.pk)).data["reactions"] == []


def test_an_agents_reaction_is_queued_and_shown_on_the_customers_message():
    target = customer_message()

    reaction = send_agent_rich_message(
        interaction=target.interaction,
        author=agent(first_name="Alice"),
        kind="reaction",
        content={"emoji": "👍"},
        reply_to_id=target.pk,
    )

    assert (reaction.kind, reaction.status, reaction.reply_to_id) == (
        MessageKind.REACTION,
        MessageStatus.QUEUED,
        target.pk,
    )
    (shown,) = MessageSerializer(message_for_timeline(message_id=target.pk)).data["reactions"]
    assert (shown["emoji"], shown["direction"], shown["author"]) == ("👍", "outbound", "Alice")


def test_a_reply_quotes_the_message_it_answers():
    target = customer_message("Which sizes do you have?")

    reply = send_agent_reply(interaction=target.interaction, author=agent(), text="S to XL.", reply_to_id=target.pk)

    assert MessageSerializer(message_for_timeline(message_id=reply.pk)).data["quoted"] == {
        "id": target.pk,
        "direction": Direction.INBOUND,
        "kind": MessageKind.TEXT,
        "text": "Which sizes do you have?",
        "author": None,
    }


def test_a_reply_to_a_message_of_another_interaction_is_refused():
    elsewhere = customer_message()
    interaction = InteractionFactory()

    with pytest.raises(ActionRefused, match="is not a message of interaction"):
        send_agent_reply(interaction=interaction, author=agent(), text="Hi", reply_to_id=elsewhere.pk)


def test_a_list_over_the_limits_is_refused_with_every_problem_and_nothing_is_queued():
    target = customer_message()
    content = {
        "type": "list",
        "body": "",
        "button": "A label longer than twenty",
        "sections": [{"rows": [{"title": "A row title over 24 chars"}]}],
    }

    with pytest.raises(ContentRefused) as refused:
        send_agent_rich_message(interaction=target.interaction, author=agent(), kind="interactive", content=content)

    assert refused.value.problems == [
        "The body is required.",
        "The button label is 26 characters long; WhatsApp allows at most 20.",
        "Section 1, row 1: the title is 25 characters long; WhatsApp allows at most 24.",
    ]
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_a_location_off_the_globe_is_refused():
    target = customer_message()

    with pytest.raises(ContentRefused, match="latitude must be between -90 and 90"):
        send_agent_rich_message(
            interaction=target.interaction, author=agent(), kind="location", content={"latitude": 95, "longitude": 0}
        )


def failed_reply(code: str, title: str, external_id: str | None = None) -> Message:
    target = customer_message()
    message = send_agent_reply(interaction=target.interaction, author=agent(), text="Your parcel ships today.")
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.FAILED,
        error_code=code,
        error_title=title,
        external_id=external_id,
        status_at=timezone.now(),
    )
    message.refresh_from_db()
    return message


def test_a_message_that_failed_on_throttling_is_offered_and_queued_again_once(django_capture_on_commit_callbacks):
    message = failed_reply("130429", "Message throughput limit reached")
    assert MessageSerializer(message_for_timeline(message_id=message.pk)).data["retryable"] is True

    with django_capture_on_commit_callbacks() as callbacks:
        retried = retry_failed_message(message=message, by=message.author)

    assert (retried.status, retried.error_code, retried.pk) == (MessageStatus.QUEUED, "", message.pk)
    assert any(getattr(callback, "args", None) == (message.pk,) for callback in callbacks)
    with pytest.raises(ActionRefused, match="this one is queued"):
        retry_failed_message(message=message, by=message.author)


@pytest.mark.parametrize(("code", "title"), [("131026", "Message undeliverable"), ("131047", "Re-engagement message")])
def test_a_permanent_failure_is_not_offered_again(code, title):
    message = failed_reply(code, title)

    assert MessageSerializer(message_for_timeline(message_id=message.pk)).data["retryable"] is False
    with pytest.raises(ActionRefused, match="cannot succeed"):
        retry_failed_message(message=message, by=message.author)


def test_a_message_the_channel_accepted_before_it_failed_is_not_sent_again():
    message = failed_reply("131000", "Something went wrong", external_id="wamid.ACCEPTED")

    assert MessageSerializer(message_for_timeline(message_id=message.pk)).data["retryable"] is False


def test_a_template_that_failed_on_throttling_outside_the_window_is_queued_again():
    """A template is what may be sent outside the window, so its retry answers to the outreach policy instead."""
    message = failed_reply("130429", "Message throughput limit reached")
    channel_user = message.interaction.channel_user
    opted_in(channel_user)
    order_update = template(channel_user)
    Message.objects.filter(pk=message.pk).update(
        kind=MessageKind.TEMPLATE, content={"template": {"id": order_update.pk}}
    )
    ChannelUser.objects.filter(pk=channel_user.pk).update(last_inbound_at=timezone.now() - timezone.timedelta(days=2))

    retried = retry_failed_message(message=Message.objects.get(pk=message.pk), by=message.author)

    assert retried.status == MessageStatus.QUEUED
