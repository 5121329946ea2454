"""A send the channel accepted is never sent again, though its answer was lost: recorded later when the database
failed in between, and not retried while a status that may name it can still be on its way."""

import base64
import json
from datetime import timedelta

import psycopg
import pytest
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from redis import Redis

from channels_whatsapp.inbox import MAX_PROCESSING_ATTEMPTS
from channels_whatsapp.models import WebhookDelivery
from channels_whatsapp.outbound import WhatsAppAdapter
from interactions.channel_adapters import register_channel_adapter
from interactions.models import DeliveryAttempt, DeliveryOutcome, Message, MessageStatus
from interactions.policies import UNKNOWN_OUTCOME_GRACE
from interactions.services.outbound import deliver_queued_message, send_agent_reply
from interactions.tasks import record_accepted_send
from tests.factories import ChannelUserFactory, InteractionFactory, agent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(60),
    pytest.mark.usefixtures("live_worker_paused"),
]

CHANNEL = "test-database-gone-after-send"


def _terminate_our_database_session() -> None:
    """What a PostgreSQL restart does to a worker's session: killed from outside, so its next query fails."""
    pid = connection.connection.info.backend_pid
    params = connection.settings_dict
    with psycopg.connect(
        dbname=params["NAME"],
        user=params["USER"],
        password=params["PASSWORD"],
        host=params["HOST"],
        port=params["PORT"],
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


class AdapterWhoseDatabaseFailsAfterTheSend(WhatsAppAdapter):
    """WhatsApp, but PostgreSQL goes away once the Graph API has accepted the message and before it is recorded."""

    def send(self, message: Message) -> str:
        external_id = super().send(message)
        _terminate_our_database_session()
        return external_id


def _queued_tasks(queue: str, name: str) -> list[dict]:
    """The keyword arguments of the tasks `name` waiting in the broker's `queue`."""
    redis = Redis.from_url(settings.CELERY_BROKER_URL)
    found = []
    for raw in redis.lrange(f"{settings.REDIS_KEY_PREFIX}{queue}", 0, -1):
        task = json.loads(raw)
        if task["headers"]["task"] == name:
            _args, kwargs, _embed = json.loads(base64.b64decode(task["body"]))
            found.append(kwargs)
    return found


def _reply_to_a_customer(graph_api, *, channel: str = "whatsapp") -> Message:
    interaction = InteractionFactory(subtype=channel, channel_user=ChannelUserFactory(channel=channel))
    graph_api.network.save_customer(wa_id=interaction.channel_user.external_id, changes={"window_open": True})
    return send_agent_reply(interaction=interaction, author=agent(), text="Your parcel left today.")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="ends its own session as a PostgreSQL restart does (CI runs it)"
)
def test_a_send_whose_recording_failed_is_recorded_later_and_never_sent_again(graph_api):
    register_channel_adapter(CHANNEL, AdapterWhoseDatabaseFailsAfterTheSend())
    reply = _reply_to_a_customer(graph_api, channel=CHANNEL)

    assert deliver_queued_message(message_id=reply.pk) is None  # the task ends; nothing for Celery to retry
    close_old_connections()  # as the worker does before its next task: the broken session is dropped

    reply.refresh_from_db()
    assert reply.status == MessageStatus.QUEUED and reply.external_id is None
    assert deliver_queued_message(message_id=reply.pk) is not None  # its outcome unknown: not sent again
    [sent] = graph_api.network.sent_messages(wa_id=None, min_count=1, timeout=1)
    [recording] = [
        kwargs for kwargs in _queued_tasks("outbound", record_accepted_send.name) if kwargs["message_id"] == reply.pk
    ]
    assert recording["external_id"] == sent.wamid

    record_accepted_send.apply(kwargs=recording)  # the worker takes the queued task, the database back

    reply.refresh_from_db()
    assert reply.status == MessageStatus.SENT and reply.external_id == sent.wamid
    assert reply.attempts.get().outcome == DeliveryOutcome.ACCEPTED
    assert deliver_queued_message(message_id=reply.pk) is None
    assert len(graph_api.network.sent_messages(wa_id=None, min_count=0, timeout=0)) == 1


def _delivery_received(at, **fields) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(body=b"{}", **fields)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(received_at=at)
    return delivery


def test_a_send_of_unknown_outcome_is_not_retried_until_metas_stream_has_passed_its_grace_period(graph_api):
    reply = _reply_to_a_customer(graph_api)
    started_at = timezone.now() - UNKNOWN_OUTCOME_GRACE - timedelta(minutes=1)  # past the grace period by the clock
    attempt = DeliveryAttempt.objects.create(message=reply, number=1, started_at=started_at)  # its answer lost
    _delivery_received(started_at - timedelta(hours=1), attempts=MAX_PROCESSING_ATTEMPTS)  # given up: holds nothing
    backlog = _delivery_received(timezone.now())  # may hold the 'sent' status that names it

    assert deliver_queued_message(message_id=reply.pk) is not None

    assert graph_api.network.sent_messages(wa_id=None, min_count=0, timeout=0) == []
    attempt.refresh_from_db()
    assert attempt.outcome == ""
    reply.refresh_from_db()
    assert reply.next_attempt_at > timezone.now()  # so the stuck-message sweep leaves it to its countdown

    # Applied, but Meta stamped it 30 s after the send: it fell behind, and the status naming it may be next.
    WebhookDelivery.objects.filter(pk=backlog.pk).update(
        processed_at=timezone.now(), newest_event_at=started_at + timedelta(seconds=30)
    )
    Message.objects.filter(pk=reply.pk).update(next_attempt_at=timezone.now())

    assert deliver_queued_message(message_id=reply.pk) is not None
    assert graph_api.network.sent_messages(wa_id=None, min_count=0, timeout=0) == []

    caught_up = _delivery_received(timezone.now())  # Meta's stream is past the grace period: no status named it
    WebhookDelivery.objects.filter(pk=caught_up.pk).update(
        processed_at=timezone.now(), newest_event_at=started_at + UNKNOWN_OUTCOME_GRACE + timedelta(seconds=5)
    )
    Message.objects.filter(pk=reply.pk).update(next_attempt_at=timezone.now())

    assert deliver_queued_message(message_id=reply.pk) is None

    attempt.refresh_from_db()
    assert attempt.outcome == DeliveryOutcome.RETRYABLE
    assert len(graph_api.network.sent_messages(wa_id=None, min_count=1, timeout=1)) == 1
    reply.refresh_from_db()
    assert reply.status == MessageStatus.SENT
