"""The daily retention run: what is past its period goes, what is newer stays, the skeleton of each record stays,
and the run is recorded, works in batches and changes nothing when run again."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from audit.models import AuditAction, AuditEntry
from channels_whatsapp.models import WebhookDelivery
from interactions.models import (
    AttachmentState,
    ContentRemoval,
    DeliveryStatusEvent,
    Direction,
    Message,
    MessageKind,
    MessageStatus,
    Notification,
    NotificationOutcome,
)
from interactions.services.retention import remove_message_bodies
from properties.services import change_property
from properties.validation import InvalidPropertyValue
from retention.periods import retention_periods
from retention.services import apply_retention
from retention.tests.records import aged, days_ago, integration_delivery, photo_message, webhook_delivery
from tests.factories import InteractionFactory, MessageFactory, UserFactory

pytestmark = pytest.mark.django_db

PERIODS = {
    "media": 30,
    "message_bodies": 60,
    "webhook_bodies": 10,
    "status_events": 20,
    "integration_payloads": 10,
    "audit_entries": 100,
}


def keep_for(days: dict[str, int]) -> None:
    for name, value in days.items():
        change_property(key=f"retention.{name}_days", value=value)


@pytest.fixture
def periods():
    keep_for(PERIODS)


def status_event(days: float, external_id: str) -> DeliveryStatusEvent:
    event = DeliveryStatusEvent.objects.create(
        channel="whatsapp", account_id="1", external_id=external_id, status="delivered", occurred_at=days_ago(days)
    )
    return aged(event, days, "received_at")


def audit_entry(days: float) -> AuditEntry:
    return AuditEntry.objects.create(recorded_at=days_ago(days), action=AuditAction.LOGIN, username="ana")


def run(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return apply_retention(**kwargs)


def test_each_kind_goes_after_its_own_period_and_nothing_newer(periods, django_capture_on_commit_callbacks):
    old_text, new_text = aged(MessageFactory(text="Old words"), 61), aged(MessageFactory(text="New words"), 59)
    old_photo, new_photo = photo_message(days=31), photo_message(days=29)
    old_file, new_file = old_photo.attachment.file.name, new_photo.attachment.file.name
    old_event, new_event = status_event(21, "wamid.old"), status_event(19, "wamid.new")
    old_body, new_body = webhook_delivery(days=11), webhook_delivery(days=9)
    waiting_body = webhook_delivery(days=11, processed=False)
    old_payload, new_payload = integration_delivery({"x": 1}, days=11), integration_delivery({"x": 2}, days=9)
    old_entry, new_entry = audit_entry(101), audit_entry(99)

    result = run(django_capture_on_commit_callbacks)

    assert result.removed == {
        "audit_entries": 1,
        "group_message_bodies": 0,
        "integration_payloads": 1,
        "media_files": 1,
        "message_bodies": 1,
        "notification_contents": 0,
        "status_events": 1,
        "webhook_bodies": 1,
    }
    old_text.refresh_from_db(), new_text.refresh_from_db()
    assert (old_text.text, old_text.content_removed_reason) == ("", ContentRemoval.RETENTION)
    assert (new_text.text, new_text.content_removed_at) == ("New words", None)
    old_photo.refresh_from_db(), new_photo.refresh_from_db()
    assert old_photo.text == "My broken chair"  # media goes at 30 days, its caption (a message body) at 60
    assert (old_photo.attachment.state, old_photo.attachment.file.name) == (AttachmentState.REMOVED, "")
    assert (old_photo.attachment.mime_type, old_photo.attachment.size) == ("image/png", 15)
    assert not default_storage.exists(old_file)
    assert new_photo.attachment.state == AttachmentState.STORED and default_storage.exists(new_file)
    assert list(DeliveryStatusEvent.objects.all()) == [new_event]
    assert not DeliveryStatusEvent.objects.filter(pk=old_event.pk).exists()
    assert bytes(WebhookDelivery.objects.get(pk=old_body.pk).body) == b""
    assert WebhookDelivery.objects.get(pk=old_body.pk).body_removed_at is not None
    assert bytes(WebhookDelivery.objects.get(pk=new_body.pk).body) == bytes(new_body.body)
    assert bytes(WebhookDelivery.objects.get(pk=waiting_body.pk).body) == bytes(waiting_body.body)  # still work
    old_payload.refresh_from_db(), new_payload.refresh_from_db()
    assert "data" not in old_payload.payload and old_payload.payload["data_removed"] == "retention"
    assert new_payload.payload["data"] == {"x": 2}
    assert not AuditEntry.objects.filter(pk=old_entry.pk).exists()
    assert AuditEntry.objects.filter(pk=new_entry.pk).exists()


def test_the_message_row_stays_with_its_direction_time_status_and_the_marker(
    periods, django_capture_on_commit_callbacks, client
):
    agent_user = UserFactory(is_superuser=True)
    interaction = InteractionFactory()
    location = MessageFactory(
        interaction=interaction, kind=MessageKind.LOCATION, text="", content={"latitude": 52.5, "longitude": 13.4}
    )
    reply = MessageFactory(
        interaction=interaction,
        direction=Direction.OUTBOUND,
        status=MessageStatus.READ,
        author=agent_user,
        text="We will fix it",
        content={"automated": ""},
    )
    for message in (location, reply):
        aged(message, 61)
    sent_at, revision = reply.sent_at, interaction.revision

    run(django_capture_on_commit_callbacks)

    reply.refresh_from_db(), location.refresh_from_db()
    assert (reply.direction, reply.status, reply.sent_at, reply.author) == (
        Direction.OUTBOUND,
        MessageStatus.READ,
        sent_at,
        agent_user,
    )
    assert reply.content == {"automated": ""} and location.content == {}
    assert reply.revision > revision  # an open workspace catches up with the change
    interaction.refresh_from_db()
    assert interaction.last_message_preview["text"] == ""
    client.force_login(agent_user)
    timeline = client.get(f"/api/v1/interactions/{interaction.pk}/messages/").json()["messages"]
    assert [(m["id"], m["text"], m["content_removed_reason"]) for m in timeline] == [
        (location.pk, "", "retention"),
        (reply.pk, "", "retention"),
    ]
    assert all(m["content_removed_at"] for m in timeline)


def notification(days: float, key: str) -> Notification:
    record = Notification.objects.create(
        idempotency_key=key,
        recipient="15550001111",
        reason="case resolved",
        content={"text": "Hello Ana Lima, your chair is fixed"},
        fingerprint="f",
        outcome=NotificationOutcome.SENT,
    )
    return aged(record, days)


def test_what_a_notification_asked_to_send_goes_with_the_message_bodies(periods, django_capture_on_commit_callbacks):
    old, new = notification(61, "old"), notification(59, "new")

    result = run(django_capture_on_commit_callbacks)

    assert result.removed["notification_contents"] == 1
    old.refresh_from_db(), new.refresh_from_db()
    assert old.content == {} and (old.recipient, old.reason, old.outcome) == ("15550001111", "case resolved", "sent")
    assert new.content == {"text": "Hello Ana Lima, your chair is fixed"}
    assert run(django_capture_on_commit_callbacks).removed["notification_contents"] == 0


def test_the_run_is_recorded_with_its_counts_and_periods(periods, django_capture_on_commit_callbacks):
    aged(MessageFactory(), 61)

    run(django_capture_on_commit_callbacks)

    entry = AuditEntry.objects.get(action=AuditAction.RETENTION_APPLIED)
    assert entry.user is None and entry.changes["removed"]["message_bodies"] == 1
    assert entry.changes["periods_in_days"] == PERIODS


def test_batches_take_the_oldest_first_and_a_run_goes_on_until_none_is_left(
    periods, django_capture_on_commit_callbacks
):
    messages = [aged(MessageFactory(text=f"words {n}"), 70 - n) for n in range(5)]

    with transaction.atomic():
        assert remove_message_bodies(cutoff=days_ago(60), limit=2) == 2
    assert [m.pk for m in Message.objects.filter(content_removed_at__isnull=False)] == [m.pk for m in messages[:2]]

    result = run(django_capture_on_commit_callbacks, batch_size=2)  # 3 left: a full batch, then one of 1

    assert result.removed["message_bodies"] == 3
    assert not Message.objects.filter(content_removed_at__isnull=True).exists()


def test_a_batch_exactly_the_size_of_what_is_left_ends_with_an_empty_one(periods, django_capture_on_commit_callbacks):
    for _ in range(4):
        aged(MessageFactory(), 61)

    assert run(django_capture_on_commit_callbacks, batch_size=2).removed["message_bodies"] == 4


def test_running_again_removes_nothing_more(periods, django_capture_on_commit_callbacks):
    message = aged(MessageFactory(), 61)
    photo = photo_message(days=31)
    webhook_delivery(days=11)
    integration_delivery({"x": 1}, days=11)
    run(django_capture_on_commit_callbacks)
    message.refresh_from_db()
    removed_at = message.content_removed_at

    again = run(django_capture_on_commit_callbacks)

    assert set(again.removed.values()) == {0}
    message.refresh_from_db(), photo.attachment.refresh_from_db()
    assert message.content_removed_at == removed_at
    assert AuditEntry.objects.filter(action=AuditAction.RETENTION_APPLIED).count() == 2


def test_a_period_of_zero_keeps_forever(django_capture_on_commit_callbacks):
    keep_for({"message_bodies": 0, "audit_entries": 0})
    message = aged(MessageFactory(text="Kept"), 5000)
    entry = audit_entry(5000)

    result = run(django_capture_on_commit_callbacks)

    assert "message_bodies" not in result.removed and "audit_entries" not in result.removed
    message.refresh_from_db()
    assert message.text == "Kept" and AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_audit_log_still_refuses_any_other_delete():
    entry = audit_entry(1000)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()


@pytest.mark.parametrize("bad", [-1, "30 days", 36501])
def test_a_bad_period_is_refused_with_the_reason_and_the_old_one_kept(bad):
    with pytest.raises(InvalidPropertyValue):
        change_property(key="retention.media_days", value=bad)
    assert retention_periods().media == timedelta(days=90)


def test_a_message_still_waiting_to_be_sent_keeps_its_content_and_file(periods, django_capture_on_commit_callbacks):
    waiting = aged(MessageFactory(outbound=True, text="Sending soon"), 61)
    photo = photo_message(days=31, direction=Direction.OUTBOUND, status=MessageStatus.QUEUED, external_id=None)

    result = run(django_capture_on_commit_callbacks)

    assert (result.removed["message_bodies"], result.removed["media_files"]) == (0, 0)
    waiting.refresh_from_db(), photo.attachment.refresh_from_db()
    assert waiting.text == "Sending soon" and photo.attachment.state == AttachmentState.STORED
