"""Inbound listeners on the live system: a customer writes through the emulator, the worker records the message,
and each listener runs as its own task: a failing one is retried and recorded, the others are not held up."""

from django.core.cache import cache

from channels_whatsapp.models import WebhookDelivery
from conftest import wait_until
from interactions.models import ListenerRun, ListenerRunState, Message
from tests.listener_probes.apps import FAIL_TWICE, heard_key

CUSTOMER = "4915112345678"


def test_a_failing_listener_is_retried_and_recorded_while_the_webhook_and_the_other_listeners_carry_on(live_system):
    wamid = live_system.emulator.customer_sends(CUSTOMER, FAIL_TWICE, name="Daniel Weber")
    message = wait_until(lambda: Message.objects.filter(external_id=wamid).first(), message="the inbound message")

    recorded = wait_until(lambda: cache.get(heard_key("recording", message)), message="the recording listener")
    delivery = wait_until(
        lambda: WebhookDelivery.objects.filter(processed_at__isnull=False).first(), message="the webhook processed"
    )
    failed_once = wait_until(
        lambda: (
            ListenerRun.objects.filter(message=message, listener="probe.failing", attempts__gte=1)
            .exclude(state=ListenerRunState.RUNNING)
            .first()
        ),
        message="the failing listener's first attempt",
    )
    done = wait_until(
        lambda: ListenerRun.objects.filter(
            message=message, listener="probe.failing", state=ListenerRunState.DONE
        ).first(),
        timeout=40,
        message="the failing listener to succeed on its third attempt",
    )

    assert recorded == FAIL_TWICE
    assert delivery.last_error == ""
    assert "RuntimeError: probe failure on call" in failed_once.last_error
    assert done.attempts == 3
    assert cache.get(heard_key("failing", message)) == FAIL_TWICE
    assert ListenerRun.objects.get(message=message, listener="probe.recording").attempts == 1
