"""Channel health from Meta's account webhooks (Meta's example payloads, posted to the real webhook and processed as
the task does), the webhook's delivery counters in Redis, and the rules that make an alert."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from channels_whatsapp.delivery_counts import delivery_counts, webhook_traffic
from channels_whatsapp.health_policies import HealthInputs, health_problems
from channels_whatsapp.models import BusinessNumber, HealthEvent, NumberHealth
from channels_whatsapp.payloads import (
    NumberQualityUpdate,
    TemplateQualityUpdate,
    TemplateStatusUpdate,
    parse_notification,
)
from channels_whatsapp.tests.meta_fixtures import meta_body, meta_payload
from channels_whatsapp.tests.webhook_deliveries import APP_SECRET, post_delivery, stored_and_processed
from interactions.channel_health import Severity
from interactions.models import MessageTemplate, TemplateStatus

pytestmark = pytest.mark.django_db

META_WABA = "102290129340398"
META_NUMBER = "106540352242922"
META_TEMPLATE_ID = "806312974732579"


@pytest.fixture
def meta_number() -> BusinessNumber:
    """The number Meta's examples speak for, by its display number within its account."""
    return BusinessNumber.objects.create(
        phone_number_id=META_NUMBER,
        display_phone_number="+1 555-078-3881",
        waba_id=META_WABA,
        access_token="t",
        app_secret=APP_SECRET,
        verify_token="v",
    )


@pytest.fixture
def welcome_template(meta_number) -> MessageTemplate:
    return MessageTemplate.objects.create(
        channel="whatsapp",
        account_id=META_NUMBER,
        external_id=META_TEMPLATE_ID,
        name="welcome_template",
        language="en_US",
        category="marketing",
        status=TemplateStatus.APPROVED,
        body="Welcome!",
        synced_at=timezone.now(),
    )


def test_metas_quality_update_example_parses_with_the_account_the_display_number_and_the_limits():
    (event,) = parse_notification(meta_payload("phone_number_quality_update"))

    assert event == NumberQualityUpdate(
        waba_id=META_WABA,
        display_phone_number="15550783881",
        event="DOWNGRADE",
        current_limit="TIER_1K",
        old_limit="TIER_10K",
        timestamp=datetime(2023, 1, 28, 0, 4, 50, tzinfo=UTC),
    )


def test_metas_template_examples_parse_with_the_pause_and_the_quality_scores():
    (paused,) = parse_notification(meta_payload("message_template_status_update"))
    (quality,) = parse_notification(meta_payload("message_template_quality_update"))

    assert isinstance(paused, TemplateStatusUpdate)
    assert (paused.template_id, paused.name, paused.event, paused.reason) == (
        META_TEMPLATE_ID,
        "welcome_template",
        "PAUSED",
        "FIRST_PAUSE",
    )
    assert isinstance(quality, TemplateQualityUpdate)
    assert (quality.previous_quality, quality.new_quality) == ("GREEN", "YELLOW")


def test_a_quality_downgrade_is_applied_to_the_number_it_names_by_display_number(client: Client, meta_number):
    delivery = stored_and_processed(client, meta_body("phone_number_quality_update"))

    health = NumberHealth.objects.get(number=meta_number)
    assert (health.quality_event, health.messaging_limit) == ("DOWNGRADE", "TIER_1K")
    assert delivery.summary == "1 account updates" and delivery.processed_at is not None
    event = HealthEvent.objects.get(number=meta_number)
    assert event.is_problem and "TIER_1K" in event.summary


def test_a_paused_template_is_paused_at_once_and_refused_for_sending(client: Client, welcome_template):
    stored_and_processed(client, meta_body("message_template_status_update"))

    welcome_template.refresh_from_db()
    assert (welcome_template.status, welcome_template.status_reason) == ("paused", "FIRST_PAUSE")
    assert HealthEvent.objects.get(kind="template_status").summary == (
        "Template welcome_template (en_US): paused (first pause)"
    )


def test_a_rejection_keeps_its_reason(client: Client, welcome_template):
    stored_and_processed(client, meta_body("message_template_status_rejected"))

    welcome_template.refresh_from_db()
    assert (welcome_template.status, welcome_template.status_reason) == ("rejected", "INCORRECT_CATEGORY")


def test_a_template_quality_change_is_applied_to_the_synced_template(client: Client, welcome_template):
    stored_and_processed(client, meta_body("message_template_quality_update"))

    welcome_template.refresh_from_db()
    assert welcome_template.quality == "medium"
    assert not HealthEvent.objects.get(kind="template_quality").is_problem  # yellow: shown, not alerted


def test_a_redelivered_account_event_is_recorded_once(client: Client, meta_number):
    stored_and_processed(client, meta_body("phone_number_quality_flagged"))
    stored_and_processed(client, meta_body("phone_number_quality_flagged"))

    assert HealthEvent.objects.filter(number=meta_number).count() == 1


def test_an_account_event_signed_by_another_apps_secret_is_refused(client: Client, meta_number, welcome_template):
    BusinessNumber.objects.create(
        phone_number_id="999000111222333", waba_id="555", access_token="t", app_secret="other", verify_token="v"
    )

    delivery = stored_and_processed(client, meta_body("message_template_status_update"), secret="other")

    welcome_template.refresh_from_db()
    assert welcome_template.status == "approved"
    assert "no business number of that account signed the delivery" in delivery.refusals


def test_deliveries_and_signature_failures_are_counted_per_minute_in_redis(client: Client, meta_number):
    delivery_counts.flush()
    before = webhook_traffic([META_NUMBER])[META_NUMBER]

    assert post_delivery(client, meta_body("phone_number_quality_update")).status_code == 200
    assert post_delivery(client, meta_body("phone_number_quality_update"), secret="wrong").status_code == 401
    assert post_delivery(client, meta_body("phone_number_quality_update"), secret=None).status_code == 401
    delivery_counts.flush()

    after = webhook_traffic([META_NUMBER])[META_NUMBER]
    assert after.delivered_last_hour == (before.delivered_last_hour or 0) + 1
    assert after.refused_last_hour == (before.refused_last_hour or 0) + 2
    assert timezone.now() - after.last_delivery_at < timedelta(seconds=10)


def test_a_failure_to_count_never_fails_the_webhook(client: Client, meta_number, settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there

    assert post_delivery(client, meta_body("phone_number_quality_update")).status_code == 200
    delivery_counts.flush()  # logged and dropped

    assert webhook_traffic([META_NUMBER])[META_NUMBER].delivered_last_hour is None


NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
HEALTHY = HealthInputs(
    token_state="valid",
    token_problem="",
    token_error_code="",
    token_state_since=NOW - timedelta(days=1),
    checked_at=NOW - timedelta(seconds=30),
    quality_rating="GREEN",
    messaging_limit="TIER_1K",
    quality_event="",
    quality_event_at=None,
    delivered_last_hour=12,
    refused_last_hour=0,
    backlog_count=0,
    oldest_queued_at=None,
)


def _titles(**changes) -> list[tuple[Severity, str, bool]]:
    from dataclasses import replace

    return [
        (problem.severity, problem.title, problem.blocks_sending)
        for problem in health_problems(replace(HEALTHY, **changes), now=NOW)
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, []),
        (
            {"token_state": "refused", "token_error_code": "190"},
            [(Severity.PROBLEM, "Meta refuses this number's requests: nothing can be sent", True)],
        ),
        ({"token_state": "unchecked"}, [(Severity.WARNING, "The access token could not be checked", False)]),
        ({"refused_last_hour": 3}, []),  # refusals while this number's deliveries arrive: another app's
        (
            {"refused_last_hour": 3, "delivered_last_hour": 0},
            [(Severity.PROBLEM, "Webhook deliveries are refused: customers' messages do not arrive", False)],
        ),
        ({"checked_at": NOW - timedelta(minutes=10)}, []),
        (
            {"checked_at": NOW - timedelta(minutes=10, seconds=1)},
            [(Severity.WARNING, "Not checked for 10 minutes", False)],
        ),
        ({"quality_rating": "YELLOW"}, []),
        ({"quality_rating": "RED"}, [(Severity.WARNING, "Quality rating is low (red)", False)]),
        (
            {"quality_event": "FLAGGED", "quality_event_at": NOW - timedelta(hours=24)},
            [(Severity.WARNING, "Meta flagged this number's quality (messaging limit now TIER_1K)", False)],
        ),
        ({"quality_event": "FLAGGED", "quality_event_at": NOW - timedelta(hours=24, seconds=1)}, []),
        ({"backlog_count": 3, "oldest_queued_at": NOW - timedelta(minutes=5)}, []),
        (
            {"backlog_count": 3, "oldest_queued_at": NOW - timedelta(minutes=6)},
            [(Severity.WARNING, "3 messages waiting to be sent, the oldest for 6 minutes", False)],
        ),
    ],
)
def test_when_a_numbers_health_raises_an_alert(changes, expected):
    assert _titles(**changes) == expected


def test_agents_are_told_why_nothing_can_be_sent_in_their_words():
    from dataclasses import replace

    (problem,) = health_problems(replace(HEALTHY, token_state="refused", token_error_code="190"), now=NOW)

    assert problem.agent_reason == "WhatsApp no longer accepts this number's access token (revoked or expired)"
