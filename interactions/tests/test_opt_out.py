"""After a customer's STOP nothing but its confirmation goes out, on any path, until they write again or opt in."""

from datetime import datetime
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from consent.models import ConsentRecord
from interactions.live import interaction_changed
from interactions.models import DeliveryAttempt, Direction, Interaction, Message, MessageStatus, NotificationOutcome
from interactions.services.inbound import record_inbound_message
from interactions.services.outbound import ActionRefused, deliver_queued_message, retry_failed_message, send_agent_reply
from interactions.services.outreach import delivery_decision_for
from interactions.services.receipts import start_agent_typing
from interactions.services.system_messages import SystemMessageContent, send_system_message
from interactions.tests.core_events import inbound_message
from interactions.tests.test_timeline_reads import MAX_QUERIES
from tests.consent_factories import template
from tests.factories import agent, agent_holding

pytestmark = pytest.mark.django_db

PHOTO = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "media" / "photo.jpg"
SILENCED = f"The customer opted out on {timezone.now():%Y-%m-%d} and has not written since"


def customer_writes(text: str) -> Message:
    return record_inbound_message(event=inbound_message(text=text))


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def outbound_texts(interaction: Interaction) -> list[str]:
    return list(
        interaction.messages.filter(direction=Direction.OUTBOUND).order_by("sequence").values_list("text", flat=True)
    )


def test_after_stop_no_agent_message_of_any_kind_is_accepted_through_the_api():
    customer_writes("Where is my parcel?")
    interaction = customer_writes("STOP").interaction
    client = signed_in(agent_holding(interaction))
    base = f"/api/v1/interactions/{interaction.pk}"
    order_update = template(interaction.channel_user)

    answers = {
        "text": client.post(f"{base}/messages/", {"text": "Sorry to see you go."}, "application/json"),
        "location": client.post(
            f"{base}/messages/",
            {"kind": "location", "content": {"latitude": 52.5, "longitude": 13.4}},
            "application/json",
        ),
        "media": client.post(
            f"{base}/attachments/", {"file": SimpleUploadedFile("photo.jpg", PHOTO.read_bytes(), "image/jpeg")}
        ),
        "ask-consent": client.post(f"{base}/ask-consent/"),
        "template": client.post(
            f"{base}/template-messages/",
            {
                "template_id": order_update.pk,
                "values": {"header": ["8841"], "body": ["Ana", "8841", "Friday"], "buttons": {"0": ["8841"]}},
            },
            "application/json",
        ),
    }

    assert {path: answer.status_code for path, answer in answers.items()} == dict.fromkeys(answers, 409)
    for path in ("text", "location", "media", "ask-consent"):
        assert answers[path].json()["detail"].startswith(SILENCED), path
    assert answers["template"].json()["detail"].startswith("Customer opted out on")
    assert len(outbound_texts(interaction)) == 1  # the confirmation alone
    assert interaction.messages.get(direction=Direction.OUTBOUND).content == {"consent": "opt_out_confirmation"}


def test_once_the_customer_writes_again_after_stop_an_agent_may_answer():
    customer_writes("STOP")
    interaction = customer_writes("Sorry, wrong button. Is my parcel on its way?").interaction

    answer = signed_in(agent_holding(interaction)).post(
        f"/api/v1/interactions/{interaction.pk}/messages/", {"text": "It is, arriving Friday."}, "application/json"
    )

    assert answer.status_code == 201
    assert outbound_texts(interaction)[-1] == "It is, arriving Friday."


def reply_shown(client: Client, interaction: Interaction) -> dict:
    """The composer's answer as the detail, the list and the live push each carry it (they must agree)."""
    detail = client.get(f"/api/v1/interactions/{interaction.pk}/").json()["reply"]
    listed = client.get("/api/v1/interactions/?state=open").json()["results"]
    assert [item["reply"] for item in listed if item["id"] == interaction.pk] == [detail]
    interaction.refresh_from_db()
    assert interaction_changed(interaction)["interaction"]["reply"] == detail
    return detail


def test_the_interaction_tells_the_workspace_replies_are_refused_after_stop_until_the_customer_writes_again():
    interaction = customer_writes("Where is my parcel?").interaction
    client = signed_in(agent_holding(interaction))
    before = reply_shown(client, interaction)
    assert (before["allowed"], before["reason"], before["opted_out_at"]) == (True, "", None)

    customer_writes("STOP")
    stopped = reply_shown(client, interaction)
    refused = client.post(f"/api/v1/interactions/{interaction.pk}/messages/", {"text": "Hi?"}, "application/json")

    stop = ConsentRecord.objects.get(channel_user=interaction.channel_user, status="opted_out")
    assert (stopped["allowed"], stopped["template_required"]) == (False, False)
    assert stopped["reason"].startswith(SILENCED)
    assert stopped["reason"] == refused.json()["detail"]  # the send's own answer, known before the agent types
    assert datetime.fromisoformat(stopped["opted_out_at"]) == stop.recorded_at

    customer_writes("Sorry, wrong button. Is my parcel on its way?")
    again = reply_shown(client, interaction)
    assert (again["allowed"], again["reason"], again["opted_out_at"]) == (True, "", None)


@pytest.mark.parametrize("size", [5, 20])
def test_the_interaction_list_judges_every_opted_out_customer_in_its_own_query(size, django_assert_max_num_queries):
    for number in range(size):
        sender = f"1650555{number:04d}"
        record_inbound_message(event=inbound_message(sender_id=sender, text="Hi"))
        record_inbound_message(event=inbound_message(sender_id=sender, text="STOP"))
    client = signed_in(agent_holding(*Interaction.objects.all()))

    with django_assert_max_num_queries(MAX_QUERIES):
        listed = client.get("/api/v1/interactions/?state=open&limit=200").json()["results"]

    assert len(listed) == size
    assert all(item["reply"]["reason"].startswith(SILENCED) for item in listed)


def test_after_stop_and_start_an_agent_may_answer():
    customer_writes("STOP")
    interaction = customer_writes("START").interaction

    reply = send_agent_reply(interaction=interaction, author=agent(), text="Welcome back!")

    assert reply.status == MessageStatus.QUEUED


def test_a_reply_queued_before_stop_is_never_handed_to_the_channel_after_it():
    interaction = customer_writes("Where is my parcel?").interaction
    reply = send_agent_reply(interaction=interaction, author=agent(), text="Let me check.")
    customer_writes("STOP")

    assert deliver_queued_message(message_id=reply.pk) is None

    reply.refresh_from_db()
    assert (reply.status, reply.error_code, reply.error_title) == (
        MessageStatus.FAILED,
        "opted_out",
        "Not sent: the customer opted out",
    )
    assert reply.error_detail.startswith(SILENCED)
    assert not DeliveryAttempt.objects.filter(message=reply).exists()


def test_the_opt_out_confirmation_is_the_one_message_the_delivery_task_lets_through():
    interaction = customer_writes("STOP").interaction

    confirmation = interaction.messages.get(direction=Direction.OUTBOUND)

    assert delivery_decision_for(message=confirmation).allowed


def test_a_failed_reply_is_not_sent_again_after_stop():
    interaction = customer_writes("Where is my parcel?").interaction
    reply = send_agent_reply(interaction=interaction, author=agent(), text="Let me check.")
    Message.objects.filter(pk=reply.pk).update(
        status=MessageStatus.FAILED, error_code="130429", error_title="Message throughput limit reached"
    )
    customer_writes("STOP")

    with pytest.raises(ActionRefused) as refused:
        retry_failed_message(message=reply, by=reply.author)

    assert refused.value.reason.startswith(SILENCED)


def test_a_system_message_after_stop_is_refused_and_kept_with_the_reason():
    channel_user = customer_writes("STOP").interaction.channel_user

    result = send_system_message(
        channel_user=channel_user,
        content=SystemMessageContent(text="Your case CS0001001 is now resolved."),
        reason="Case CS0001001 resolved",
        idempotency_key="case:1:state-change:1",
    )

    assert result.notification.outcome == NotificationOutcome.REFUSED
    assert result.notification.refusal_reason.startswith("Customer opted out on")


def test_after_stop_an_agent_typing_shows_colleagues_but_not_the_customer():
    interaction = customer_writes("STOP").interaction
    person = agent_holding(interaction)
    cache.delete(f"typing-indicator:{interaction.pk}")  # the cache outlives the database ids of earlier tests

    assert start_agent_typing(agent=person, interaction_id=interaction.pk) is True

    assert cache.get(f"typing-indicator:{interaction.pk}") is None  # no indicator went to the customer's phone
    customer_writes("Actually, one question")
    start_agent_typing(agent=person, interaction_id=interaction.pk)
    assert cache.get(f"typing-indicator:{interaction.pk}") is True
