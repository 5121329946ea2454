"""What the emulator tells about a business number and its account, and a token revoked on demand (error 190)."""

import dataclasses

import requests

from channels_whatsapp.emulator.config import EmulatorConfig
from channels_whatsapp.emulator.server import EmulatorServer
from tests.emulator.conftest import BUSINESS, OTHER_BUSINESS, RunningEmulator


def get(emulator: RunningEmulator, path: str, *, token: str = BUSINESS.access_token, **params) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return requests.get(f"{emulator.url}/v25.0/{path}", params=params, headers=headers, timeout=10)


def test_a_phone_number_answers_with_the_fields_of_metas_example(emulator):
    response = get(emulator, BUSINESS.phone_number_id)

    assert response.status_code == 200
    assert response.json() == {
        "verified_name": "WhatsDesk Demo",
        "display_phone_number": BUSINESS.display_phone_number,
        "id": BUSINESS.phone_number_id,
        "quality_rating": "GREEN",
    }


def test_fields_picks_what_the_answer_holds_and_the_id_comes_with_them(emulator):
    fields = "whatsapp_business_manager_messaging_limit,throughput,name_status,code_verification_status"

    document = get(emulator, BUSINESS.phone_number_id, fields=fields).json()

    assert document == {
        "whatsapp_business_manager_messaging_limit": "TIER_250",
        "throughput": {"level": "STANDARD"},
        "name_status": "APPROVED",
        "code_verification_status": "VERIFIED",
        "id": BUSINESS.phone_number_id,
    }


def test_a_field_the_node_does_not_have_is_refused_as_meta_refuses_it(emulator):
    response = get(emulator, BUSINESS.phone_number_id, fields="verified_name,colour")

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["type"]) == (100, "OAuthException")
    assert error["message"] == (
        "(#100) Tried accessing nonexisting field (colour) on node type (WhatsAppBusinessPhoneNumber)"
    )


def test_another_numbers_token_cannot_see_the_number(emulator):
    response = get(emulator, BUSINESS.phone_number_id, token=OTHER_BUSINESS.access_token)

    assert response.status_code == 400
    assert (response.json()["error"]["code"], response.json()["error"]["error_subcode"]) == (100, 33)


def test_the_account_lists_the_app_subscribed_to_its_webhooks_in_metas_shape(emulator):
    response = get(emulator, f"{BUSINESS.waba_id}/subscribed_apps")

    assert response.status_code == 200
    assert response.json() == {
        "data": [
            {
                "whatsapp_business_api_data": {
                    "link": "https://www.facebook.com/games/?app_id=980000000000001",
                    "name": "WhatsDesk",
                    "id": "980000000000001",
                }
            }
        ]
    }
    assert get(emulator, f"{BUSINESS.waba_id}/subscribed_apps", token=OTHER_BUSINESS.access_token).status_code == 400


def test_without_a_webhook_url_no_app_is_subscribed(emulator_config: EmulatorConfig):
    with EmulatorServer(dataclasses.replace(emulator_config, webhook_url="")) as server:
        emulator = RunningEmulator(server)

        assert get(emulator, f"{BUSINESS.waba_id}/subscribed_apps").json() == {"data": []}


def test_a_revoked_token_is_refused_with_190_everywhere_until_restored(emulator):
    revoked = emulator.control.set_token_revoked()

    assert revoked["token_revoked"] is True
    answers = [
        get(emulator, BUSINESS.phone_number_id),
        get(emulator, f"{BUSINESS.waba_id}/subscribed_apps"),
        get(emulator, f"{BUSINESS.waba_id}/message_templates"),
        emulator.send_text(),
    ]
    for response in answers:
        assert response.status_code == 401
        error = response.json()["error"]
        assert (error["code"], error["error_subcode"], error["type"]) == (190, 460, "OAuthException")
        assert error["message"].startswith("Error validating access token: The session has been invalidated")
    # The other number's token still works, and the businesses list says which one is revoked.
    assert get(emulator, OTHER_BUSINESS.phone_number_id, token=OTHER_BUSINESS.access_token).status_code == 200
    businesses = {b["phone_number_id"]: b["token_revoked"] for b in emulator.control.businesses()}
    assert businesses == {BUSINESS.phone_number_id: True, OTHER_BUSINESS.phone_number_id: False}

    emulator.control.set_token_revoked(False)

    assert get(emulator, BUSINESS.phone_number_id).status_code == 200


def test_a_reset_restores_revoked_tokens(emulator):
    emulator.control.set_token_revoked(phone_number_id=OTHER_BUSINESS.phone_number_id)

    emulator.control.reset()

    assert get(emulator, OTHER_BUSINESS.phone_number_id, token=OTHER_BUSINESS.access_token).status_code == 200


def test_revoking_needs_a_boolean_and_a_known_number(emulator):
    url = f"{emulator.url}/_emulator/token"
    response = requests.post(url, json={"revoked": "yes"}, timeout=10)
    unknown = requests.post(url, json={"revoked": True, "phone_number_id": "1"}, timeout=10)

    assert (response.status_code, unknown.status_code) == (400, 404)
