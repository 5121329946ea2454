"""Channel health against the emulator over HTTP: the periodic check flips the token state when Meta revokes it,
Meta's webhooks from the emulator reach the panel and the synced templates, and each role hears what it should
(supervisors the alerts, agents only that nothing can be sent and why)."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from channels_whatsapp.emulator.client import EmulatorClient
from channels_whatsapp.emulator.server import EmulatorServer
from channels_whatsapp.models import BusinessNumber, HealthEvent, NumberHealth
from channels_whatsapp.number_health import check_all_numbers, check_number_health
from conftest import wait_until
from interactions.models import MessageTemplate
from interactions.roles import ADMIN
from interactions.services.templates import sync_message_templates
from tests.factories import UserFactory, agent, manager

NUMBER = settings.WHATSAPP_PHONE_NUMBER_ID


def the_number() -> BusinessNumber:
    check_all_numbers()  # also creates the settings' number
    return BusinessNumber.objects.get(phone_number_id=NUMBER)


def admin_user(**kwargs):
    return UserFactory(role=ADMIN, is_staff=True, **kwargs)


def health_for(user) -> dict:
    client = Client()
    client.force_login(user)
    response = client.get("/api/v1/channel-health/")
    assert response.status_code == 200
    return response.json()


@pytest.mark.django_db
def test_the_check_flips_the_token_state_when_meta_revokes_it_and_back(graph_api: EmulatorServer):
    meta = EmulatorClient(graph_api.url)
    number = the_number()
    assert NumberHealth.objects.get(number=number).token_state == "valid"

    meta.set_token_revoked()
    health = check_number_health(number=number)

    assert (health.token_state, health.token_error_code) == ("refused", "190")
    assert "Generate a new token" in health.token_problem
    meta.set_token_revoked(False)
    assert check_number_health(number=number).token_state == "valid"
    assert [event.summary[:40] for event in HealthEvent.objects.filter(kind="token").order_by("pk")] == [
        "Meta accepts the access token",
        "Meta refused the number's requests: Meta",
        "Meta accepts the access token",
    ]


@pytest.mark.django_db
def test_the_check_reads_the_quality_rating_and_limit_meta_reports(graph_api: EmulatorServer):
    meta = EmulatorClient(graph_api.url)
    number = the_number()

    meta.change_number_quality("DOWNGRADE", quality_rating="RED", messaging_limit="TIER_50")
    health = check_number_health(number=number)

    assert (health.quality_rating, health.messaging_limit) == ("RED", "TIER_50")
    assert HealthEvent.objects.get(kind="quality").summary == (
        "Meta reports quality rating GREEN → RED, messaging limit TIER_250 → TIER_50"
    )


@pytest.mark.django_db
def test_a_send_meta_refuses_for_the_token_marks_the_number_broken_at_once(graph_api: EmulatorServer):
    from channels_whatsapp.client import GraphApiError
    from channels_whatsapp.connection import graph_client_for
    from channels_whatsapp.number_health import note_refused_send

    meta = EmulatorClient(graph_api.url)
    number = the_number()
    meta.set_token_revoked()
    with pytest.raises(GraphApiError) as refused:
        graph_client_for(number).send_message(
            phone_number_id=NUMBER, body={"messaging_product": "whatsapp", "to": "15551234567", "type": "text"}
        )

    note_refused_send(number=number, error=refused.value)

    assert NumberHealth.objects.get(number=number).token_state == "refused"


@pytest.mark.django_db
def test_supervisors_get_the_alert_and_agents_only_that_nothing_can_be_sent(graph_api: EmulatorServer):
    EmulatorClient(graph_api.url).set_token_revoked()
    the_number()
    alice, maya, root = agent(), manager(), admin_user()

    for_agent, for_manager, for_admin = health_for(alice), health_for(maya), health_for(root)

    assert for_agent["alerts"] == [] and for_agent["accounts"] == []
    assert for_agent["sending_blocked"] == [
        {
            "channel": "whatsapp",
            "account_id": NUMBER,
            "account_label": "WhatsApp +1 555 000 1234",
            "reason": "WhatsApp no longer accepts this number's access token (revoked or expired). An admin has "
            "been alerted; replies will fail until it is fixed.",
        }
    ]
    (alert,) = for_manager["alerts"]
    assert (alert["severity"], alert["title"], alert["blocks_sending"]) == (
        "problem",
        "Meta refuses this number's requests: nothing can be sent",
        True,
    )
    assert alert["admin_url"] == ""  # a manager cannot fix it in the admin
    (admin_alert,) = for_admin["alerts"]
    number = BusinessNumber.objects.get(phone_number_id=NUMBER)
    assert admin_alert["admin_url"] == reverse("admin:channels_whatsapp_businessnumber_change", args=[number.pk]) + (
        "#channel-health"
    )
    (summary,) = for_manager["accounts"]
    assert summary["severity"] == "problem"
    assert {"label": "Access token", "value": "Refused by Meta", "severity": "problem"} in summary["facts"]


@pytest.mark.django_db
def test_channel_health_is_refused_to_those_outside_the_desk(client: Client):
    assert client.get("/api/v1/channel-health/").status_code in (401, 403)
    client.force_login(UserFactory())  # no role
    assert client.get("/api/v1/channel-health/").status_code == 403


@pytest.mark.django_db
def test_the_header_alert_is_on_the_page_for_supervisors_only(graph_api: EmulatorServer):
    for user, shown in ((agent(), False), (manager(), True), (admin_user(), True)):
        client = Client()
        client.force_login(user)
        page = client.get("/workspace/").content.decode()
        assert ('data-testid="channel-alert"' in page) is shown, user.groups.all()


@pytest.mark.django_db
def test_the_admin_health_panel_says_what_is_wrong(graph_api: EmulatorServer, client: Client):
    EmulatorClient(graph_api.url).set_token_revoked()
    number = the_number()
    Group.objects.get_or_create(name=ADMIN)
    client.force_login(admin_user())

    page = client.get(reverse("admin:channels_whatsapp_businessnumber_change", args=[number.pk])).content.decode()

    assert 'data-testid="health-panel"' in page
    assert "Meta refuses this number&#x27;s requests: nothing can be sent" in page
    assert "Generate a new token" in page


def test_the_beat_checks_health_often_enough_to_show_a_revoked_token_within_a_minute():
    schedule = settings.CELERY_BEAT_SCHEDULE["check-business-numbers-health"]
    assert schedule["task"] == "channels_whatsapp.tasks.check_business_numbers_health"
    # The check, then the page's next poll: both inside a minute.
    assert schedule["schedule"].total_seconds() + 15 <= 60


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_emulators_account_webhooks_reach_the_health_panel_and_the_templates(emulator: EmulatorClient):
    the_number()
    sync_message_templates()
    template = MessageTemplate.objects.get(account_id=NUMBER, name="order_update", language="en_US")
    assert template.status == "approved"

    emulator.change_number_quality("FLAGGED", quality_rating="RED")
    emulator.set_template_status("order_update", "PAUSED")
    emulator.set_template_quality("order_update", "RED")

    health = wait_until(
        lambda: NumberHealth.objects.filter(number__phone_number_id=NUMBER, quality_event="FLAGGED").first(),
        message="the phone_number_quality_update webhook applied",
    )
    assert health.quality_event_at is not None
    wait_until(
        lambda: MessageTemplate.objects.filter(pk=template.pk, status="paused", quality="low").exists(),
        message="the template webhooks applied to the synced template",
    )
    assert set(HealthEvent.objects.values_list("kind", flat=True)) >= {"quality", "template_status", "template_quality"}
    delivered = health_for(admin_user())["accounts"][0]["facts"][3]
    assert delivered["label"] == "Webhook deliveries (last hour)"
    assert wait_until(
        lambda: int(health_for(admin_user())["accounts"][0]["facts"][3]["value"]) >= 3,
        timeout=20,
        message="the web server's delivery counts flushed to Redis",
    )
