"""The business writing first, end to end on real parts: consent keywords from the phone, agent-initiated
conversations, templates synced from and sent through the emulator (with each of Meta's template errors),
notifications from outside systems, and the case workflow."""

import threading
from datetime import timedelta

import pytest
import requests
from django.utils import timezone
from rest_framework.authtoken.models import Token

from conftest import LiveSystem, wait_until
from consent.models import ConsentMethod, ConsentRecord, ConsentScope, ConsentStatus
from consent.selectors import consent_state
from consent.services import record_consent
from customer_service.models import CaseState
from customer_service.services.cases import change_case_state, open_case
from interactions.models import ChannelUser, Interaction, Message, MessageTemplate, Notification
from tests.consent_factories import opted_in
from tests.factories import agent, agent_holding

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CUSTOMER = "4915112345678"


def api(system: LiveSystem, user) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Token {Token.objects.get_or_create(user=user)[0].key}"
    return session


def customer_writes(system: LiveSystem, text: str) -> Message:
    wamid = system.emulator.customer_sends(CUSTOMER, text, name="Daniel Weber")
    return wait_until(lambda: Message.objects.filter(external_id=wamid).first(), message=f"inbound {text!r}")


def close_window(channel_user: ChannelUser, system: LiveSystem) -> None:
    """A day passes: both sides agree the customer last wrote 25 hours ago."""
    long_ago = timezone.now() - timedelta(hours=25)
    ChannelUser.objects.filter(pk=channel_user.pk).update(last_inbound_at=long_ago)
    system.emulator.set_customer(CUSTOMER, last_inbound_at=long_ago.timestamp())


def sync_templates(system: LiveSystem, session: requests.Session) -> None:
    response = session.post(f"{system.web_url}/api/v1/templates/sync/", timeout=10)
    assert response.status_code == 200, response.text
    assert response.json()["synced"] >= 8


def template_id(name: str, language: str = "en_US") -> int:
    return MessageTemplate.objects.get(name=name, language=language).pk


def send_template(system, session, interaction, name, values) -> requests.Response:
    return session.post(
        f"{system.web_url}/api/v1/interactions/{interaction.pk}/template-messages/",
        json={"template_id": template_id(name), "values": values},
        timeout=10,
    )


def failed_with(message_id: int) -> tuple[str, str]:
    message = wait_until(
        lambda: Message.objects.filter(pk=message_id, status="failed").first(), message="the failure from Meta"
    )
    return message.error_code, message.error_title


def test_stop_is_confirmed_on_the_phone_and_blocks_an_agent_until_start(live_system):
    person = agent()
    session = api(live_system, person)
    stop = customer_writes(live_system, "Stop ")
    customer = stop.interaction.channel_user

    confirmation = live_system.emulator.wait_for_sent_message(to=CUSTOMER)
    assert confirmation["text"]["body"].startswith("You have been unsubscribed")
    Interaction.objects.filter(pk=stop.interaction_id).update(state="closed_complete")

    refused = session.post(
        f"{live_system.web_url}/api/v1/conversations/", json={"number": f"+{CUSTOMER}", "text": "Hi!"}, timeout=10
    )
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith(f"Customer opted out on {timezone.now():%Y-%m-%d}")

    customer_writes(live_system, "START")
    assert live_system.emulator.wait_for_sent_message(to=CUSTOMER, count=2)["text"]["body"].startswith(
        "You are subscribed"
    )
    assert consent_state(channel_user_id=customer.pk).status == "opted_in"


def test_outside_the_window_an_agent_sends_a_template_and_the_reply_reopens_the_window(live_system):
    first = customer_writes(live_system, "Is my order on its way?")
    session = api(live_system, agent_holding(first.interaction))
    customer = first.interaction.channel_user
    opted_in(customer)
    sync_templates(live_system, session)
    close_window(customer, live_system)
    free_form = session.post(
        f"{live_system.web_url}/api/v1/interactions/{first.interaction_id}/messages/", json={"text": "Hi"}, timeout=10
    )
    assert free_form.status_code == 409

    response = send_template(
        live_system,
        session,
        first.interaction,
        "order_update",
        {"header": ["8841"], "body": ["Daniel", "8841", "Friday"], "buttons": {"0": ["8841"]}},
    )

    assert response.status_code == 201, response.text
    sent = live_system.emulator.wait_for_sent_message(to=CUSTOMER)
    assert sent["type"] == "template"
    assert sent["template"]["name"] == "order_update"
    assert sent["template"]["components"] == [
        {"type": "header", "parameters": [{"type": "text", "text": "8841"}]},
        {"type": "body", "parameters": [{"type": "text", "text": t} for t in ("Daniel", "8841", "Friday")]},
        {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "8841"}]},
    ]
    template_message = Message.objects.get(pk=response.json()["id"])
    wait_until(lambda: Message.objects.get(pk=template_message.pk).status in ("delivered", "read"))
    feed = live_system.emulator.conversation(CUSTOMER)
    assert any("your order 8841 has shipped" in (item["text"] or "") for item in feed["items"])

    customer_writes(live_system, "Thanks, see you Friday")
    reply = session.post(
        f"{live_system.web_url}/api/v1/interactions/{first.interaction_id}/messages/",
        json={"text": "You're welcome!"},
        timeout=10,
    )
    assert reply.status_code == 201
    assert live_system.emulator.wait_for_sent_message(to=CUSTOMER, count=2)["text"]["body"] == "You're welcome!"


@pytest.mark.parametrize(
    ("meta_change", "expected"),
    [
        ("PAUSED", ("132015", "Template is paused")),
        ("DISABLED", ("132016", "Template is disabled")),
        ("DELETED", ("132001", "Template does not exist")),
    ],
)
def test_a_template_meta_changed_since_the_sync_fails_with_metas_error(live_system, meta_change, expected):
    first = customer_writes(live_system, "Hello")
    session = api(live_system, agent_holding(first.interaction))
    opted_in(first.interaction.channel_user)
    sync_templates(live_system, session)
    # The webhook that tells of the change is lost (or late): only Meta's answer to the send says it. When it
    # arrives, the send is refused before it goes (interactions/tests/test_template_changes.py).
    live_system.emulator.set_faults(drop_next_webhooks=1)
    live_system.emulator.set_template_status("follow_up", meta_change)

    response = send_template(live_system, session, first.interaction, "follow_up", {"body": ["Daniel", "the chair"]})

    assert response.status_code == 201
    assert failed_with(response.json()["id"]) == expected


def test_a_template_edited_at_meta_since_the_sync_fails_with_132000(live_system):
    first = customer_writes(live_system, "Hello")
    session = api(live_system, agent_holding(first.interaction))
    opted_in(first.interaction.channel_user)
    sync_templates(live_system, session)
    MessageTemplate.objects.filter(name="follow_up").update(body="Hi {{1}}, about your request: reply to continue.")

    response = send_template(live_system, session, first.interaction, "follow_up", {"body": ["Daniel"]})

    assert failed_with(response.json()["id"]) == ("132000", "Template parameter count mismatch")
    assert (
        "number of localizable_params (1) does not match" in Message.objects.get(pk=response.json()["id"]).error_detail
    )


def test_whatsapps_marketing_stop_is_recorded_and_honoured(live_system):
    first = customer_writes(live_system, "Hello")
    session = api(live_system, agent_holding(first.interaction))
    customer = first.interaction.channel_user
    opted_in(customer)
    sync_templates(live_system, session)

    live_system.emulator.customer_sets_marketing(CUSTOMER, stopped=True)
    wait_until(lambda: consent_state(channel_user_id=customer.pk, scope=ConsentScope.MARKETING).status == "opted_out")
    refused = send_template(live_system, session, first.interaction, "spring_sale", {"body": ["Daniel", "20%", "May"]})

    assert refused.status_code == 409
    assert "stopped marketing messages" in refused.json()["detail"]


def test_a_marketing_template_meta_refuses_with_131050_records_the_marketing_opt_out(live_system):
    first = customer_writes(live_system, "Hello")
    session = api(live_system, agent_holding(first.interaction))
    customer = first.interaction.channel_user
    opted_in(customer)
    sync_templates(live_system, session)
    live_system.emulator.customer_sets_marketing(CUSTOMER, stopped=True)
    wait_until(lambda: ConsentRecord.objects.filter(scope="marketing").exists())
    record_consent(  # our record says otherwise (say, an import), so only Meta stands in the way
        channel_user=customer,
        status=ConsentStatus.OPTED_IN,
        method=ConsentMethod.API_IMPORT,
        scope=ConsentScope.MARKETING,
    )

    response = send_template(live_system, session, first.interaction, "spring_sale", {"body": ["Daniel", "20%", "May"]})

    assert failed_with(response.json()["id"]) == ("131050", "Customer stopped marketing messages")
    wait_until(lambda: consent_state(channel_user_id=customer.pk, scope=ConsentScope.MARKETING).status == "opted_out")


def test_a_retried_notification_request_sends_once(live_system):
    first = customer_writes(live_system, "Hello")
    opted_in(first.interaction.channel_user)
    session = api(live_system, agent())
    request = {"number": f"+{CUSTOMER}", "reason": "Order 8841 shipped", "text": "Your order 8841 has shipped."}
    headers = {"Idempotency-Key": "shop-order-8841-shipped"}
    url = f"{live_system.web_url}/api/v1/notifications/"

    answers = []
    retries = [
        threading.Thread(target=lambda: answers.append(session.post(url, json=request, headers=headers, timeout=10)))
        for _ in range(3)
    ]
    for retry in retries:
        retry.start()
    for retry in retries:
        retry.join()
    again = session.post(url, json=request, headers=headers, timeout=10)

    assert sorted(answer.status_code for answer in answers) == [200, 200, 201]
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert len({answer.json()["message_id"] for answer in [*answers, again]}) == 1
    assert live_system.emulator.wait_for_sent_message(to=CUSTOMER)["text"]["body"] == "Your order 8841 has shipped."
    assert len(live_system.emulator.sent_messages(CUSTOMER, min_count=2, timeout=1)) == 1
    assert Notification.objects.count() == 1


def test_a_refused_notification_says_why(live_system):
    customer_writes(live_system, "STOP")
    response = api(live_system, agent()).post(
        f"{live_system.web_url}/api/v1/notifications/",
        json={"number": CUSTOMER, "reason": "Newsletter", "text": "News!"},
        headers={"Idempotency-Key": "newsletter-1"},
        timeout=10,
    )

    assert response.status_code == 409
    assert response.json()["detail"].startswith("Customer opted out on")
    assert Notification.objects.get().outcome == "refused"


def test_a_case_changing_state_notifies_the_customer_on_whatsapp(live_system):
    first = customer_writes(live_system, "My chair is broken")
    customer = first.interaction.channel_user
    opted_in(customer)
    case = open_case(channel_user=customer, short_description="Broken armrest")

    change_case_state(case=case, state=CaseState.RESOLVED)

    sent = live_system.emulator.wait_for_sent_message(to=CUSTOMER)
    assert sent["text"]["body"] == f"Hello Daniel Weber, your case {case.number} (Broken armrest) is now resolved."
    assert Notification.objects.get().reason == f"Case {case.number} is now resolved"
