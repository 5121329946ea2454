"""What was salvaged from a hostile or broken delivery reads plainly in the agent's workspace (Chromium)."""

import json
from datetime import UTC, datetime

import pytest
import requests
from django.conf import settings
from playwright.sync_api import expect

from channels_whatsapp.signature import SIGNATURE_HEADER, signature_header_value
from conftest import wait_until
from interactions.models import Message
from tests.factories import agent
from tests.handing_over import hand_over
from tests.test_workspace_browser import new_page, sign_in  # noqa: F401 (new_page is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CUSTOMER = "447700900888"


def post_signed_messages(live_system, *messages: dict) -> None:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001234", "phone_number_id": settings.WHATSAPP_PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Nora\u0000Quinn"}, "wa_id": CUSTOMER}],
        "messages": [{"from": CUSTOMER, **message} for message in messages],
    }
    document = {"object": "whatsapp_business_account",
                "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]}  # fmt: skip
    body = json.dumps(document, ensure_ascii=True).encode().replace(b'"LATITUDE"', b"NaN")
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature_header_value(body=body, app_secret=settings.WHATSAPP_APP_SECRET),
    }
    response = requests.post(f"{live_system.web_url}/webhooks/whatsapp/", data=body, headers=headers, timeout=30)
    assert response.status_code == 200


def test_a_claimed_time_in_2100_and_a_pin_at_nan_are_shown_for_what_they_are(live_system, new_page):  # noqa: F811
    alice = agent(username="alice")
    post_signed_messages(
        live_system,
        {"id": "wamid.FUTURE", "timestamp": str(int(datetime(2100, 1, 1, tzinfo=UTC).timestamp())),
         "type": "text", "text": {"body": "From the future\u0000"}},
        {"id": "wamid.NAN", "timestamp": "1", "type": "location",
         "location": {"latitude": "LATITUDE", "longitude": 13.4, "name": "Somewhere"}},
    )  # fmt: skip
    wait_until(lambda: Message.objects.count() == 2, message="both messages recorded")

    workspace = new_page()
    sign_in(workspace, live_system, "alice")
    hand_over(customer=CUSTOMER, to=alice)
    workspace.get_by_test_id("interaction-item").filter(has_text="Nora\ufffdQuinn").click()

    future = workspace.get_by_test_id("message").filter(has_text="From the future\ufffd")
    expect(future.get_by_test_id("claimed-time")).to_contain_text("2100")
    pin = workspace.get_by_test_id("location-card")
    expect(pin).to_contain_text("Somewhere")
    expect(pin.get_by_test_id("location-coordinates")).to_have_text("The coordinates sent could not be read.")
    expect(pin.locator("a")).to_have_count(0)  # no link to a wrong place
    expect(workspace.get_by_test_id("message").filter(has=pin).get_by_test_id("claimed-time")).to_contain_text("1970")
    workspace.screenshot(path=str(live_system.logs["web"].parent / "workspace-salvaged-delivery.png"))
