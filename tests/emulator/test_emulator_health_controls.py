"""The emulator plays Meta changing a number's standing: quality and limit changes, template reviews and ratings,
each answered over HTTP and followed by Meta's account webhook, signed like every other; and the "Meta controls"
page that does the same with buttons."""

import pytest
import requests

from channels_whatsapp.signature import signature_header_value
from tests.emulator.conftest import BUSINESS


def by_field(deliveries) -> dict[str, dict]:
    """Each account change's value by its field: the emulator's delivery threads may send them in any order."""
    return {account_change(delivery)[1]: account_change(delivery)[2] for delivery in deliveries}


def account_change(delivery) -> tuple[str, str, dict]:
    entry = delivery.json()["entry"][0]
    change = entry["changes"][0]
    return entry["id"], change["field"], change["value"]


def phone_number_fields(emulator) -> dict:
    return requests.get(
        f"{emulator.url}/v25.0/{BUSINESS.phone_number_id}",
        params={"fields": "quality_rating,whatsapp_business_manager_messaging_limit"},
        headers={"Authorization": f"Bearer {BUSINESS.access_token}"},
        timeout=10,
    ).json()


def test_a_quality_change_is_told_by_the_graph_api_and_a_signed_webhook(emulator, webhook_receiver):
    answer = emulator.control.change_number_quality("DOWNGRADE", quality_rating="RED", messaging_limit="TIER_50")

    assert (answer["quality_rating"], answer["messaging_limit"]) == ("RED", "TIER_50")
    assert phone_number_fields(emulator) == {
        "quality_rating": "RED",
        "whatsapp_business_manager_messaging_limit": "TIER_50",
        "id": BUSINESS.phone_number_id,
    }
    (delivery,) = webhook_receiver.wait_for(lambda deliveries: len(deliveries) >= 1)
    assert delivery.headers["X-Hub-Signature-256"] == signature_header_value(
        body=delivery.body, app_secret=BUSINESS.app_secret
    )
    waba_id, field, value = account_change(delivery)
    assert (waba_id, field) == (BUSINESS.waba_id, "phone_number_quality_update")
    assert value == {
        "display_phone_number": "15550100",
        "event": "DOWNGRADE",
        "old_limit": "TIER_250",
        "current_limit": "TIER_50",
    }
    assert isinstance(delivery.json()["entry"][0]["time"], int)


def test_a_flag_without_a_limit_change_names_no_old_limit(emulator, webhook_receiver):
    emulator.control.change_number_quality("FLAGGED", quality_rating="RED")

    (delivery,) = webhook_receiver.wait_for(lambda deliveries: len(deliveries) >= 1)
    assert account_change(delivery)[2] == {
        "display_phone_number": "15550100",
        "event": "FLAGGED",
        "current_limit": "TIER_250",
    }


def test_a_paused_template_and_a_rating_are_told_by_webhooks(emulator, webhook_receiver):
    template = emulator.control.set_template_status("order_update", "PAUSED")
    rated = emulator.control.set_template_quality("order_update", "RED")

    assert template["status"] == "PAUSED" and rated["quality_score"] == {"score": "RED"}
    values = by_field(webhook_receiver.wait_for(lambda deliveries: len(deliveries) >= 2))
    paused = values["message_template_status_update"]
    assert paused["event"] == "PAUSED" and paused["message_template_id"] == int(template["id"])
    assert paused["other_info"]["title"] == "FIRST_PAUSE"
    quality = values["message_template_quality_update"]
    assert (quality["previous_quality_score"], quality["new_quality_score"]) == ("UNKNOWN", "RED")


def test_a_rejection_carries_its_reason_and_a_flag_keeps_the_status(emulator, webhook_receiver):
    emulator.control.set_template_status("order_update", "REJECTED", reason="INCORRECT_CATEGORY")
    flagged = emulator.control.set_template_status("follow_up", "APPROVED", event="FLAGGED")

    deliveries = webhook_receiver.wait_for(lambda deliveries: len(deliveries) >= 2)
    by_name = {account_change(d)[2]["message_template_name"]: account_change(d)[2] for d in deliveries}
    assert (by_name["order_update"]["event"], by_name["order_update"]["reason"]) == ("REJECTED", "INCORRECT_CATEGORY")
    assert by_name["follow_up"]["event"] == "FLAGGED" and flagged["status"] == "APPROVED"


@pytest.mark.parametrize(
    ("path", "body", "error"),
    [
        ("/number-quality", {"event": "WORSE"}, "event must be one of FLAGGED"),
        ("/number-quality", {"event": "FLAGGED", "quality_rating": "PURPLE"}, "quality_rating must be one of"),
        ("/number-quality", {"event": "UPGRADE", "messaging_limit": "TIER_9"}, "messaging_limit must be one of"),
        ("/templates/quality", {"name": "order_update", "quality": "BLUE"}, "quality must be one of"),
        ("/templates", {"name": "order_update", "status": "PAUSED", "event": "SPOILED"}, "event must be a status"),
    ],
)
def test_bad_control_requests_are_named(emulator, path, body, error):
    answer = requests.post(f"{emulator.url}/_emulator{path}", json=body, timeout=10)

    assert answer.status_code == 400 and error in answer.json()["error"]


def test_an_unknown_template_is_a_404(emulator):
    answer = requests.post(
        f"{emulator.url}/_emulator/templates/quality", json={"name": "nope", "quality": "RED"}, timeout=10
    )

    assert answer.status_code == 404


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    yield context.new_page()
    context.close()


@pytest.mark.browser
def test_the_meta_controls_page_revokes_the_token_and_pauses_a_template(emulator, webhook_receiver, page, tmp_path):
    from playwright.sync_api import expect

    page.goto(f"{emulator.url}/controls")
    number = page.locator(f'[data-phone-number-id="{BUSINESS.phone_number_id}"]')
    number.get_by_test_id("revoke-token").click()
    expect(page.get_by_test_id("controls-outcome")).to_contain_text("Token revoked")
    assert [business["token_revoked"] for business in emulator.control.businesses()] == [True, False]
    number = page.locator(f'[data-phone-number-id="{BUSINESS.phone_number_id}"]')  # drawn again
    number.get_by_test_id("template-pause-order_update-en_US").click()
    expect(page.get_by_test_id("controls-outcome")).to_contain_text("order_update paused")
    page.locator(f'[data-phone-number-id="{BUSINESS.phone_number_id}"]').get_by_test_id("flag-quality").click()
    expect(page.locator(f'[data-phone-number-id="{BUSINESS.phone_number_id}"]')).to_contain_text(
        "Token REVOKED · quality RED"
    )
    page.screenshot(path=str(tmp_path / "meta-controls.png"), full_page=True)

    fields = set(by_field(webhook_receiver.wait_for(lambda deliveries: len(deliveries) >= 2)))
    assert fields == {"message_template_status_update", "phone_number_quality_update"}
    page.locator(f'[data-phone-number-id="{BUSINESS.phone_number_id}"]').get_by_test_id("restore-token").click()
    expect(page.locator(f'[data-phone-number-id="{BUSINESS.phone_number_id}"]')).to_contain_text("Token valid")
