"""Outbound webhooks against a real local receiver, on PostgreSQL: recorded with the change, signed, retried,
stopped by 410, refused for addresses inside our network, and free for the inbound path when nothing subscribes."""

import copy
import json
import uuid
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from consent.models import ConsentMethod, ConsentStatus
from consent.services import record_consent
from customer_service.models import CaseState
from customer_service.services.cases import change_case_state, open_case
from integrations import services
from integrations.models import Delivery, DeliveryState, EventType, Subscription
from integrations.services import (
    SUBSCRIPTIONS_VERSION_KEY,
    deliver,
    due_delivery_ids,
    remove_delivery_payloads,
    subscribed_event_types,
)
from interactions.models import InteractionState, Message, MessageStatus
from interactions.roles import ADMIN
from interactions.services.assignment import assign_interaction
from interactions.services.inbound import record_inbound_message
from interactions.services.lifecycle import close_interaction
from interactions.services.statuses import record_delivery_statuses
from interactions.services.timeline import lock_interaction
from interactions.tests.core_events import inbound_message, status_update
from tests.factories import ChannelUserFactory, InteractionFactory, MessageFactory, UserFactory, agent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _subscriptions_as_they_were():
    """These tests roll back rather than commit, so they change the subscriptions' version by hand: afterwards the
    version and this process's event types are put back as they were, matching the rolled-back table (a test that
    follows, counting its queries, pays for no fresh read)."""
    version, remembered = cache.get(SUBSCRIPTIONS_VERSION_KEY), copy.copy(services._subscribed)
    yield
    if version:
        cache.set(SUBSCRIPTIONS_VERSION_KEY, version, None)
    else:
        cache.delete(SUBSCRIPTIONS_VERSION_KEY)
    services._subscribed = remembered


@pytest.fixture
def allowed(settings, receiver):
    """The link previews' one narrow exception: the test receiver's exact host:port skips the address check."""
    settings.LINK_PREVIEW_ALLOWED_TEST_HOSTS = [receiver.host_port]
    return receiver


def subscribe(url: str, *events: str) -> Subscription:
    subscription = Subscription.objects.create(url=url, events=list(events))
    cache.set(SUBSCRIPTIONS_VERSION_KEY, uuid.uuid4().hex, None)  # what committing it would do
    heard_later()
    return subscription


def heard_later() -> None:
    """As if VERSION_CHECK_SECONDS passed: this process reads the version at its next event."""
    services._subscribed.checked_at -= services.VERSION_CHECK_SECONDS


def test_a_received_message_is_delivered_signed_and_the_receiver_verifies_it(allowed, verified):
    subscription = subscribe(allowed.url, EventType.MESSAGE_RECEIVED)

    message = record_inbound_message(event=inbound_message(text="Is the oak chair in stock?"))

    delivery = Delivery.objects.get(subscription=subscription)
    assert delivery.event_type == EventType.MESSAGE_RECEIVED and delivery.state == DeliveryState.PENDING
    assert deliver(delivery_id=delivery.pk) is None
    [(headers, body)] = allowed.received
    assert verified(subscription.secret, headers["x-whatsdesk-signature"], body)
    assert not verified("whsec_wrong", headers["x-whatsdesk-signature"], body)
    assert headers["x-whatsdesk-event"] == "message.received"
    assert headers["x-whatsdesk-delivery"] == str(delivery.pk)
    event = json.loads(body)
    assert event["type"] == "message.received" and event["id"] == str(delivery.event_id)
    assert event["data"]["message"]["id"] == message.pk
    assert event["data"]["message"]["text"] == "Is the oak chair in stock?"
    assert event["data"]["customer"]["address"] == "16505551234"
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 1 and delivery.last_status_code == 200


def test_a_500_is_retried_with_backoff_then_delivered(allowed):
    allowed.answers = [(500, {})]
    subscription = subscribe(allowed.url, EventType.MESSAGE_RECEIVED)
    record_inbound_message(event=inbound_message())
    delivery = Delivery.objects.get(subscription=subscription)

    wait = deliver(delivery_id=delivery.pk)

    assert timedelta(seconds=30) <= wait <= timedelta(minutes=1)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and delivery.last_status_code == 500
    assert deliver(delivery_id=delivery.pk) is None  # not due yet: nothing is posted
    assert len(allowed.received) == 1
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert deliver(delivery_id=delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 2
    assert allowed.received[0][1] == allowed.received[1][1]  # the same event, signed afresh


def test_410_gone_gives_up_and_switches_the_subscription_off(allowed):
    allowed.answers = [(410, {})]
    subscription = subscribe(allowed.url, EventType.MESSAGE_RECEIVED)
    record_inbound_message(event=inbound_message())

    assert deliver(delivery_id=Delivery.objects.get().pk) is None

    subscription.refresh_from_db()
    assert not subscription.active and "410" in subscription.disabled_reason
    assert Delivery.objects.get().state == DeliveryState.GIVEN_UP


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x", "http://10.0.0.5/hook", "http://169.254.169.254/latest/"])
def test_the_admin_refuses_subscriber_urls_inside_our_network(client, url):
    client.force_login(UserFactory(role=ADMIN, is_staff=True))

    response = client.post(
        reverse("admin:integrations_subscription_add"), {"url": url, "events": ["message.received"], "active": "on"}
    )

    assert response.status_code == 200
    assert "cannot receive webhooks" in response.content.decode()
    assert not Subscription.objects.exists()


def test_a_delivery_to_loopback_is_refused_without_the_test_exception(receiver):
    subscription = subscribe(receiver.url, EventType.MESSAGE_RECEIVED)  # saved past the form, as if DNS changed
    record_inbound_message(event=inbound_message())

    assert deliver(delivery_id=Delivery.objects.get().pk) is None

    delivery = Delivery.objects.get(subscription=subscription)
    assert delivery.state == DeliveryState.GIVEN_UP and "loopback" in delivery.last_error
    assert receiver.received == []


def test_the_admin_creates_a_subscription_sees_its_secret_once_and_sends_a_test_event(client, allowed, verified):
    client.force_login(UserFactory(role=ADMIN, is_staff=True))
    response = client.post(
        reverse("admin:integrations_subscription_add"),
        {"url": allowed.url, "events": ["message.received", "case.changed"], "active": "on", "description": "CRM"},
    )
    subscription = Subscription.objects.get()
    assert subscription.secret in response.content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM integrations_subscription")
        assert subscription.secret not in cursor.fetchone()[0]  # encrypted at rest
    assert (
        subscription.secret
        not in client.get(reverse("admin:integrations_subscription_change", args=[subscription.pk])).content.decode()
    )

    client.post(
        reverse("admin:integrations_subscription_changelist"),
        {"action": "send_test_event", "_selected_action": [subscription.pk]},
    )

    delivery = Delivery.objects.get(event_type=EventType.TEST)
    assert deliver(delivery_id=delivery.pk) is None
    [(headers, body)] = allowed.received
    assert headers["x-whatsdesk-event"] == "test"
    assert verified(subscription.secret, headers["x-whatsdesk-signature"], body)


def test_managers_do_not_see_the_subscriptions(client):
    client.force_login(UserFactory(role="manager", is_staff=True))
    assert client.get(reverse("admin:integrations_subscription_changelist")).status_code == 403


def test_an_inbound_message_costs_no_query_when_nothing_subscribes():
    subscribe("https://crm.example.com/hooks", EventType.CASE_CHANGED)  # another event type
    subscribed_event_types()  # read once per process and version, as after the first message of a process
    record_inbound_message(event=inbound_message())

    with CaptureQueriesContext(connection) as queries:
        record_inbound_message(event=inbound_message(sender_id="16505550000"))

    assert not [q["sql"] for q in queries if "integrations_" in q["sql"]]
    assert not Delivery.objects.exists()


def test_a_delivery_whose_task_was_lost_is_found_by_the_sweep(allowed):
    subscribe(allowed.url, EventType.MESSAGE_RECEIVED)
    record_inbound_message(event=inbound_message())  # its task was never enqueued: no commit in this test
    delivery = Delivery.objects.get()
    assert due_delivery_ids() == []

    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=5))

    assert due_delivery_ids() == [delivery.pk]
    assert deliver(delivery_id=delivery.pk) is None
    assert Delivery.objects.get().state == DeliveryState.DELIVERED


def test_opening_assigning_closing_and_consent_are_recorded_in_their_transactions(allowed):
    subscribe(
        allowed.url,
        EventType.INTERACTION_OPENED,
        EventType.INTERACTION_ASSIGNED,
        EventType.INTERACTION_CLOSED,
        EventType.CONSENT_CHANGED,
    )
    record_inbound_message(event=inbound_message())
    interaction = InteractionFactory(channel_user=ChannelUserFactory())
    person = agent()

    with transaction.atomic():
        assign_interaction(interaction=lock_interaction(interaction.pk), agent=person)
    close_interaction(interaction=interaction, by=person, state=InteractionState.CLOSED_COMPLETE)
    record_consent(channel_user=interaction.channel_user, status=ConsentStatus.OPTED_OUT, method=ConsentMethod.KEYWORD)

    types = list(Delivery.objects.order_by("pk").values_list("event_type", flat=True))
    assert types == [
        "interaction.opened",
        "interaction.opened",
        "interaction.assigned",
        "interaction.closed",
        "consent.changed",
    ]
    assigned = Delivery.objects.get(event_type="interaction.assigned").payload["data"]
    assert assigned["interaction"]["assigned_agent_id"] == person.pk and assigned["previous_agent_id"] is None
    closed = Delivery.objects.get(event_type="interaction.closed").payload["data"]
    assert closed["interaction"]["state"] == InteractionState.CLOSED_COMPLETE
    assert closed["previous_state"] == InteractionState.WORK_IN_PROGRESS


def test_sent_and_failed_statuses_of_a_batch_and_a_case_change_are_recorded(allowed):
    subscribe(allowed.url, EventType.MESSAGE_SENT, EventType.MESSAGE_FAILED, EventType.CASE_CHANGED)
    interaction = InteractionFactory(channel_user=ChannelUserFactory())
    sent = MessageFactory(interaction=interaction, outbound=True, external_id="wamid.batch-sent")
    failed = MessageFactory(interaction=interaction, outbound=True, external_id="wamid.batch-failed")

    record_delivery_statuses(
        updates=[
            status_update(external_id="wamid.batch-sent", status=MessageStatus.SENT),
            status_update(
                external_id="wamid.batch-failed", status=MessageStatus.FAILED, error_code="131047", error_title="Re"
            ),
        ]
    )
    case = open_case(short_description="Chair arrived scratched", channel_user=interaction.channel_user)
    change_case_state(case, state=CaseState.OPEN)

    by_type: dict[str, list[dict]] = {}
    for delivery in Delivery.objects.order_by("pk"):
        by_type.setdefault(delivery.event_type, []).append(delivery.payload["data"])
    assert [d["message"]["id"] for d in by_type["message.sent"]] == [sent.pk]
    [failure] = by_type["message.failed"]
    assert failure["message"]["id"] == failed.pk and failure["message"]["error"] == {"code": "131047", "title": "Re"}
    assert [(d["previous_state"], d["case"]["state"]) for d in by_type["case.changed"]] == [
        ("", CaseState.NEW),
        (CaseState.NEW, CaseState.OPEN),
    ]


@pytest.fixture
def tasks_run_in_process():
    """Celery runs each task at once, in this process: what a worker would do with it, minus the broker."""
    from integrations.tasks import deliver_webhook

    deliver_webhook.app.conf.task_always_eager = True
    yield
    deliver_webhook.app.conf.task_always_eager = False


def test_the_task_enqueued_on_commit_delivers_it(allowed, tasks_run_in_process, django_capture_on_commit_callbacks):
    subscribe(allowed.url, EventType.CONSENT_CHANGED)
    channel_user = ChannelUserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        record_consent(channel_user=channel_user, status=ConsentStatus.OPTED_IN, method=ConsentMethod.KEYWORD)

    [(headers, body)] = allowed.received
    assert headers["x-whatsdesk-event"] == "consent.changed"
    assert json.loads(body)["data"]["consent"]["customer_id"] == channel_user.pk
    assert Delivery.objects.get().state == DeliveryState.DELIVERED


def test_retention_removes_the_data_of_finished_deliveries_past_the_period_and_keeps_their_rows():
    subscription = subscribe("https://crm.example.com/hooks", EventType.TEST)
    payload = {"id": "e1", "type": "test", "occurred_at": "2026-01-01T00:00:00+00:00", "data": {"text": "Hi"}}
    old, recent, waiting = (
        Delivery.objects.create(
            subscription=subscription, event_id=uuid.uuid4(), event_type="test", payload=payload, state=s
        )
        for s in (DeliveryState.GIVEN_UP, DeliveryState.DELIVERED, DeliveryState.FAILED)
    )
    Delivery.objects.filter(pk__in=[old.pk, waiting.pk]).update(created_at=timezone.now() - timedelta(days=31))

    with transaction.atomic():
        assert remove_delivery_payloads(cutoff=timezone.now() - timedelta(days=30), limit=10) == 1

    old.refresh_from_db()
    assert old.payload == {
        "id": "e1",
        "type": "test",
        "occurred_at": "2026-01-01T00:00:00+00:00",
        "data_removed": "retention",
    }
    assert Delivery.objects.get(pk=recent.pk).payload == payload
    assert Delivery.objects.get(pk=waiting.pk).payload == payload  # still to be retried: it keeps its data
    assert services.retry_now(delivery_ids=[old.pk]) == 0  # given up, but with nothing left to send


def test_rotating_shows_the_new_secret_once_and_retry_now_gives_a_given_up_delivery_fresh_tries(client):
    client.force_login(UserFactory(role=ADMIN, is_staff=True))
    subscription = subscribe("https://crm.example.com/hooks", EventType.TEST)
    old_secret = subscription.secret
    given_up = Delivery.objects.create(
        subscription=subscription,
        event_id=uuid.uuid4(),
        event_type="test",
        payload={},
        state=DeliveryState.GIVEN_UP,
        attempts=3,
    )

    rotated = client.post(
        reverse("admin:integrations_subscription_changelist"),
        {"action": "rotate_secret", "_selected_action": [subscription.pk]},
    )
    client.post(
        reverse("admin:integrations_delivery_changelist"),
        {"action": "retry_now", "_selected_action": [given_up.pk]},
    )

    subscription.refresh_from_db()
    assert subscription.secret != old_secret and subscription.secret in rotated.content.decode()
    given_up.refresh_from_db()
    assert given_up.state == DeliveryState.PENDING and given_up.attempts == 0


def test_a_subscription_saved_is_heard_by_every_process_at_its_next_event(django_capture_on_commit_callbacks):
    subscribed_event_types()  # this process read the subscriptions: none
    version = cache.get(SUBSCRIPTIONS_VERSION_KEY)

    with django_capture_on_commit_callbacks(execute=True):
        Subscription.objects.create(url="https://crm.example.com/hooks", events=[EventType.MESSAGE_RECEIVED])

    assert cache.get(SUBSCRIPTIONS_VERSION_KEY) != version
    heard_later()
    record_inbound_message(event=inbound_message())
    assert Delivery.objects.get().event_type == EventType.MESSAGE_RECEIVED


def test_a_redirect_is_not_followed(allowed):
    allowed.answers = [(302, {"Location": "http://169.254.169.254/latest/meta-data/"})]
    subscribe(allowed.url, EventType.MESSAGE_RECEIVED)
    record_inbound_message(event=inbound_message())

    assert deliver(delivery_id=Delivery.objects.get().pk) is not None  # a client error: fewer tries, then given up

    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.FAILED and delivery.last_status_code == 302
    assert len(allowed.received) == 1


def test_the_readmes_check_refuses_a_changed_body_or_another_secret(allowed, verified):
    subscription = subscribe(allowed.url, EventType.MESSAGE_RECEIVED)
    record_inbound_message(event=inbound_message())

    deliver(delivery_id=Delivery.objects.get().pk)

    [(headers, body)] = allowed.received
    assert verified(subscription.secret, headers["x-whatsdesk-signature"], body)
    assert not verified(subscription.secret, headers["x-whatsdesk-signature"], body + b" ")
    assert not verified("whsec_other", headers["x-whatsdesk-signature"], body)
    old = "t=1000000000," + headers["x-whatsdesk-signature"].split(",", 1)[1]
    assert not verified(subscription.secret, old, body)


def test_a_name_that_does_not_resolve_is_tried_again_not_given_up():
    subscribe("http://hooks.invalid/whatsdesk", EventType.MESSAGE_RECEIVED)  # .invalid never resolves
    record_inbound_message(event=inbound_message())

    wait = deliver(delivery_id=Delivery.objects.get().pk)

    assert wait is not None
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.FAILED and "could not be resolved" in delivery.last_error


def test_retry_after_is_read_whatever_the_case_of_its_name(allowed):
    allowed.answers = [(429, {"retry-after": "7200"})]
    subscribe(allowed.url, EventType.MESSAGE_RECEIVED)
    record_inbound_message(event=inbound_message())

    assert deliver(delivery_id=Delivery.objects.get().pk) == timedelta(hours=2)


def test_a_lost_version_change_only_delays_a_new_subscription(settings):
    settings.WEBHOOK_SUBSCRIPTIONS_REREAD_SECONDS = 30.0
    subscribed_event_types()
    Subscription.objects.create(url="https://crm.example.com/hooks", events=[EventType.MESSAGE_RECEIVED])  # no hint
    heard_later()

    assert EventType.MESSAGE_RECEIVED not in subscribed_event_types()  # the same version: kept
    services._subscribed.read_at -= 30.0  # as if the reread time passed
    heard_later()
    assert EventType.MESSAGE_RECEIVED in subscribed_event_types()


def test_the_version_is_read_at_most_every_couple_of_seconds(monkeypatch):
    reads = []
    monkeypatch.setattr(
        services, "_subscriptions_version", lambda: reads.append(1) or cache.get(SUBSCRIPTIONS_VERSION_KEY)
    )
    subscribe("https://crm.example.com/hooks", EventType.CASE_CHANGED)
    subscribed_event_types()

    for sender in ("16505550001", "16505550002", "16505550003"):
        record_inbound_message(event=inbound_message(sender_id=sender))
    assert len(reads) == 1
    heard_later()
    subscribed_event_types()
    assert len(reads) == 2


def test_subscriptions_that_cannot_be_read_never_fail_the_change(monkeypatch):
    subscribe("https://crm.example.com/hooks", EventType.MESSAGE_RECEIVED)
    monkeypatch.setattr(Subscription._meta, "db_table", "integrations_gone")  # a real PostgreSQL error

    with transaction.atomic():
        message = record_inbound_message(event=inbound_message(text="Still here?"))
        assert Message.objects.get(pk=message.pk).text == "Still here?"  # the transaction is not aborted
    assert not Delivery.objects.exists()


def test_a_batch_of_statuses_is_recorded_with_one_query_and_one_insert_and_sent_fires_once_per_message(allowed):
    subscribe(allowed.url, EventType.MESSAGE_SENT, EventType.MESSAGE_FAILED)
    jumped = [
        MessageFactory(
            interaction=InteractionFactory(channel_user=ChannelUserFactory()), outbound=True, external_id=f"wamid.j{n}"
        )
        for n in range(5)
    ]
    MessageFactory(  # sent already: read moves it on, no message.sent again
        interaction=InteractionFactory(channel_user=ChannelUserFactory()),
        outbound=True,
        external_id="wamid.s",
        status=MessageStatus.SENT,
    )

    with CaptureQueriesContext(connection) as queries:
        record_delivery_statuses(
            updates=[status_update(external_id=f"wamid.j{n}", status=MessageStatus.DELIVERED) for n in range(5)]
            + [status_update(external_id="wamid.s", status=MessageStatus.READ)]
        )
    record_delivery_statuses(updates=[status_update(external_id="wamid.j0", status=MessageStatus.SENT)])  # late
    record_delivery_statuses(
        updates=[status_update(external_id="wamid.s", status=MessageStatus.FAILED, error_code="131047")]
    )

    assert [q["sql"].split()[0] for q in queries if "integrations_" in q["sql"]] == ["SELECT", "INSERT"]
    assert not [q for q in queries if 'FROM "interactions_channeluser"' in q["sql"] and "FOR UPDATE" not in q["sql"]]
    sent = Delivery.objects.filter(event_type=EventType.MESSAGE_SENT).order_by("pk")
    assert [d.payload["data"]["message"]["id"] for d in sent] == [m.pk for m in jumped]
    assert {d.payload["data"]["message"]["status"] for d in sent} == {MessageStatus.DELIVERED}
    assert Delivery.objects.filter(event_type=EventType.MESSAGE_FAILED).count() == 0  # read does not fail


def test_a_message_sent_then_failed_fires_each_once(allowed):
    subscribe(allowed.url, EventType.MESSAGE_SENT, EventType.MESSAGE_FAILED)
    message = MessageFactory(
        interaction=InteractionFactory(channel_user=ChannelUserFactory()), outbound=True, external_id="wamid.f"
    )

    for status in (MessageStatus.SENT, MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.FAILED):
        record_delivery_statuses(updates=[status_update(external_id="wamid.f", status=status, error_code="131047")])

    assert list(Delivery.objects.order_by("pk").values_list("event_type", flat=True)) == [
        EventType.MESSAGE_SENT,
        EventType.MESSAGE_FAILED,
    ]
    assert Delivery.objects.get(event_type=EventType.MESSAGE_SENT).payload["data"]["message"]["id"] == message.pk


def test_the_admins_actions_are_audited_and_a_urls_query_is_not(client, allowed):
    admin_user = UserFactory(role=ADMIN, is_staff=True)
    client.force_login(admin_user)
    client.post(
        reverse("admin:integrations_subscription_add"),
        {"url": allowed.url + "?token=s3cret", "events": ["message.received"], "active": "on"},
    )
    subscription = Subscription.objects.get()
    delivery = Delivery.objects.create(
        subscription=subscription, event_id=uuid.uuid4(), event_type="test", payload={}, state=DeliveryState.GIVEN_UP
    )
    changelist = reverse("admin:integrations_subscription_changelist")
    client.post(changelist, {"action": "send_test_event", "_selected_action": [subscription.pk]})
    client.post(changelist, {"action": "rotate_secret", "_selected_action": [subscription.pk]})
    client.post(
        reverse("admin:integrations_delivery_changelist"),
        {"action": "retry_now", "_selected_action": [delivery.pk]},
    )

    ours = [AuditAction.CONFIG_ADDED, AuditAction.CONFIG_CHANGED, AuditAction.ADMIN_ACTION]
    entries = list(AuditEntry.objects.filter(action__in=ours).order_by("pk"))
    assert [(e.action, e.user_id) for e in entries] == [
        (AuditAction.CONFIG_ADDED, admin_user.pk),
        (AuditAction.ADMIN_ACTION, admin_user.pk),
        (AuditAction.CONFIG_CHANGED, admin_user.pk),
        (AuditAction.ADMIN_ACTION, admin_user.pk),
    ]
    added, tested, rotated, retried = entries
    assert added.changes["url"] == {"old": None, "new": allowed.url + "?…"}
    assert "s3cret" not in json.dumps([e.changes for e in entries])
    assert tested.changes == {"action": "send test event"} and tested.object_id == str(subscription.pk)
    assert rotated.changes == {"secret": "changed"}
    assert retried.changes == {"action": "retry deliveries now", "deliveries": [str(delivery.pk)]}


def test_subscriptions_and_deliveries_whose_key_was_dropped_still_list(client, settings):
    dropped = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [dropped, *settings.FIELD_ENCRYPTION_KEYS]
    subscription = subscribe("https://receiver.example/hook", EventType.MESSAGE_RECEIVED)
    Delivery.objects.create(subscription=subscription, event_id=uuid.uuid4(), event_type=EventType.MESSAGE_RECEIVED,
                            payload={})  # fmt: skip
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[1:]
    client.force_login(UserFactory(role=ADMIN, is_staff=True))

    subscriptions = client.get(reverse("admin:integrations_subscription_changelist"))
    deliveries = client.get(reverse("admin:integrations_delivery_changelist"))

    assert subscriptions.status_code == 200 and "receiver.example" in subscriptions.content.decode()
    assert deliveries.status_code == 200
