"""The Graph API answers as graph.facebook.com does: success bodies and Meta's error objects."""

import re
import time
from dataclasses import replace

import pytest
import requests

from channels_whatsapp.emulator.server import EmulatorServer
from tests.emulator.conftest import BUSINESS, CUSTOMER, OTHER_BUSINESS, RunningEmulator

TEXT = {"messaging_product": "whatsapp", "to": CUSTOMER, "text": {"body": "x"}}

pytestmark = pytest.mark.timeout(30)


def test_a_text_inside_the_window_is_accepted_with_the_wa_id_and_a_wamid(emulator):
    emulator.customer_writes()

    response = emulator.send_text(to="+1 650-555-1234", body="It ships today.", recipient_type="individual")

    assert response.status_code == 200
    body = response.json()
    assert body["messaging_product"] == "whatsapp"
    assert body["contacts"] == [{"input": "+1 650-555-1234", "wa_id": CUSTOMER}]
    assert re.fullmatch(r"wamid\.[A-Za-z0-9+/=]+", body["messages"][0]["id"])
    sent = emulator.control.wait_for_sent_message(to=CUSTOMER)
    assert sent["id"] == body["messages"][0]["id"]
    assert sent["text"] == {"body": "It ships today."}
    assert sent["to"] == "+1 650-555-1234"


def test_a_reply_may_quote_the_customers_message(emulator):
    inbound = emulator.customer_writes()

    response = emulator.send_text(context={"message_id": inbound})

    assert response.status_code == 200
    assert emulator.control.wait_for_sent_message(to=CUSTOMER)["context"] == {"message_id": inbound}


@pytest.mark.parametrize("token", [None, "not-the-token"])
def test_a_missing_or_wrong_token_is_refused_with_190(emulator, token):
    response = emulator.post_messages(TEXT, token=token)

    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == 190
    assert error["type"] == "OAuthException"
    assert error["message"] == "Invalid OAuth access token - Cannot parse access token"
    assert error["fbtrace_id"].startswith("A")


@pytest.mark.parametrize(
    ("phone_number_id", "token"),
    [("999999", BUSINESS.access_token), (OTHER_BUSINESS.phone_number_id, BUSINESS.access_token)],
)
def test_a_number_the_token_cannot_see_does_not_exist(emulator, phone_number_id, token):
    response = emulator.post_messages(
        TEXT,
        token=token,
        phone_number_id=phone_number_id,
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["error_subcode"], error["type"]) == (100, 33, "GraphMethodException")
    assert f"Object with ID '{phone_number_id}' does not exist" in error["message"]


@pytest.mark.parametrize(
    ("payload", "details"),
    [
        (b"{not json", "not valid JSON"),
        ({"to": CUSTOMER, "type": "text", "text": {"body": "x"}}, "messaging_product is required"),
        ({"messaging_product": "whatsapp", "type": "text", "text": {"body": "x"}}, "to is required"),
        ({"messaging_product": "whatsapp", "to": CUSTOMER, "type": "fax", "text": {"body": "x"}}, 'got "fax"'),
        ({"messaging_product": "whatsapp", "to": CUSTOMER, "type": "text", "text": {}}, "text['body'] is required"),
        ({"messaging_product": "whatsapp", "to": CUSTOMER, "type": "text"}, "text['body'] is required"),
        (
            {"messaging_product": "whatsapp", "to": CUSTOMER, "type": "text", "text": {"body": "x" * 4097}},
            "at most 4096 characters",
        ),
        (
            {"messaging_product": "whatsapp", "to": CUSTOMER, "type": "template", "template": {"name": "hello"}},
            "template['language']['code'] is required",
        ),
    ],
)
def test_a_malformed_send_is_refused_with_100_and_says_what_is_wrong(emulator, payload, details):
    emulator.customer_writes()

    response = emulator.post_messages(payload)

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["message"], error["type"]) == (100, "(#100) Invalid parameter", "OAuthException")
    assert error["error_data"]["messaging_product"] == "whatsapp"
    assert details in error["error_data"]["details"]
    assert emulator.control.sent_messages() == []


def test_a_body_of_exactly_4096_characters_is_accepted(emulator):
    emulator.customer_writes()

    assert emulator.send_text(body="x" * 4096).status_code == 200


def test_a_customer_who_never_wrote_needs_a_template(emulator):
    response = emulator.send_text(to="447700900123")

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["message"]) == (131047, "(#131047) Re-engagement message")
    assert error["error_data"]["details"] == (
        "Message failed to send because more than 24 hours have passed since the customer last replied to this number."
    )


def test_the_window_closes_24_hours_after_the_customers_last_message(emulator):
    emulator.customer_writes()
    emulator.control.set_customer(wa_id=CUSTOMER, last_inbound_at=time.time() - 24 * 3600 - 1)
    assert emulator.send_text().json()["error"]["code"] == 131047

    emulator.control.set_customer(wa_id=CUSTOMER, last_inbound_at=time.time() - 23 * 3600)
    assert emulator.send_text().status_code == 200

    emulator.control.set_customer(wa_id=CUSTOMER, window_open=False)
    assert emulator.send_text().json()["error"]["code"] == 131047


def test_a_number_not_on_whatsapp_is_refused_at_once_under_the_undeliverable_sync_fault(emulator):
    emulator.control.set_customer(wa_id=CUSTOMER, on_whatsapp=False)
    emulator.control.set_faults(undeliverable_sync=True)

    response = emulator.send_text()

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["error_data"]["details"]) == (131026, "Message Undeliverable.")


def test_forced_rate_limit_answers_130429_for_the_next_sends_only(emulator):
    emulator.customer_writes()
    emulator.control.set_faults(force_rate_limit_next=2)

    answers = [emulator.send_text() for _ in range(3)]

    assert [a.status_code for a in answers] == [400, 400, 200]
    error = answers[0].json()["error"]
    assert (error["code"], error["message"]) == (130429, "(#130429) Rate limit hit")
    assert error["error_data"]["details"] == "Cloud API message throughput has been reached."
    assert emulator.control.faults()["force_rate_limit_next"] == 0


def test_throughput_above_messages_per_second_answers_130429(emulator_config, webhook_receiver):
    with EmulatorServer(replace(emulator_config, messages_per_second=3)) as server:
        emulator = RunningEmulator(server)
        for wa_id in ("111111", "222222", "333333", "444444"):
            emulator.customer_writes(wa_id=wa_id)

        codes = [emulator.send_text(to=wa_id).status_code for wa_id in ("111111", "222222", "333333", "444444")]

        assert codes == [200, 200, 200, 400]
        time.sleep(1.05)
        assert emulator.send_text(to="444444").status_code == 200


def test_a_burst_to_one_customer_hits_the_pair_rate_limit(emulator_config):
    with EmulatorServer(replace(emulator_config, pair_rate_burst=2)) as server:
        emulator = RunningEmulator(server)
        emulator.customer_writes()
        emulator.customer_writes(wa_id="447700900123")

        answers = [emulator.send_text() for _ in range(3)]

        assert [a.status_code for a in answers] == [200, 200, 400]
        error = answers[2].json()["error"]
        assert (error["code"], error["message"]) == (
            131056,
            "(#131056) (Business Account, Consumer Account) pair rate limit hit",
        )
        assert emulator.send_text(to="447700900123").status_code == 200  # other customers are unaffected


def test_fail_next_sends_answers_a_transient_500(emulator):
    emulator.customer_writes()
    emulator.control.set_faults(fail_next_sends=1)

    failed, retried = emulator.send_text(), emulator.send_text()

    assert failed.status_code == 500
    error = failed.json()["error"]
    assert (error["code"], error["message"], error["is_transient"]) == (
        2,
        "(#2) Service temporarily unavailable",
        True,
    )
    assert retried.status_code == 200
    assert len(emulator.control.sent_messages()) == 1


def test_the_send_fault_rate_refuses_that_share_of_sends_as_a_busy_meta_does(emulator):
    emulator.customer_writes()
    emulator.control.set_faults(send_fault_rate=1)

    answers = [emulator.send_text(biz_opaque_callback_data=f"m{n}") for n in range(30)]

    errors = {(a.status_code, a.json()["error"]["code"]) for a in answers}
    assert errors == {(429, 130429), (503, 2), (400, 131056)}
    for answer in answers:
        retry_after = answer.headers.get("Retry-After")
        assert (retry_after is not None) == (answer.status_code == 429)
        if retry_after is not None:
            assert 1 <= int(retry_after) <= 5
    assert emulator.control.sent_messages() == []
    log = emulator.control.requests_log()
    assert [entry["callback"] for entry in log] == [f"m{n}" for n in range(30)]
    assert {entry["to"] for entry in log} == {CUSTOMER}
    assert all(entry["injected"] for entry in log)
    assert [entry["retry_after"] for entry in log] == [
        int(a.headers["Retry-After"]) if a.status_code == 429 else None for a in answers
    ]

    emulator.control.set_faults(send_fault_rate=0)
    assert emulator.send_text().status_code == 200


def test_the_send_fault_rate_is_a_share(emulator):
    response = requests.post(f"{emulator.url}/_emulator/faults", json={"send_fault_rate": 1.5}, timeout=5)

    assert response.status_code == 400
    assert "share" in response.json()["error"]


def test_slow_response_delays_the_answer(emulator):
    emulator.customer_writes()
    emulator.control.set_faults(slow_response_seconds=0.4)

    started = time.monotonic()
    response = emulator.send_text()

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.4


def test_any_api_version_is_accepted(emulator):
    emulator.customer_writes()

    assert emulator.post_messages(TEXT, version="v19.0").ok


def test_marking_a_customers_message_read_turns_their_ticks_blue(emulator):
    first = emulator.customer_writes("one")
    second = emulator.customer_writes("two")

    response = emulator.post_messages(
        {"messaging_product": "whatsapp", "status": "read", "message_id": second, "typing_indicator": {"type": "text"}}
    )

    assert response.json() == {"success": True}
    feed = emulator.control.conversation(wa_id=CUSTOMER)
    assert {item["id"]: item["status"] for item in feed["items"]} == {first: "read", second: "read"}
    assert 0 < feed["business_typing_seconds"] <= 25


def test_every_graph_api_call_is_logged_with_its_answer(emulator):
    emulator.send_text(token="wrong")
    emulator.send_text()

    log = emulator.control.requests_log()

    assert [(r["method"], r["path"], r["status"], r["error_code"]) for r in log] == [
        ("POST", f"/v25.0/{BUSINESS.phone_number_id}/messages", 401, 190),
        ("POST", f"/v25.0/{BUSINESS.phone_number_id}/messages", 400, 131047),
    ]


def test_the_wabas_templates_are_listed_in_metas_shape_for_its_token_only(emulator):
    url = f"{emulator.url}/v25.0/102290129340398/message_templates"

    first = requests.get(url, params={"limit": 5}, headers={"Authorization": "Bearer EAAtoken-of-the-desk"}, timeout=5)
    rest = requests.get(
        url, params={"limit": 5, "after": first.json()["paging"]["cursors"]["after"]},
        headers={"Authorization": "Bearer EAAtoken-of-the-desk"}, timeout=5,
    )  # fmt: skip
    other_token = requests.get(url, headers={"Authorization": "Bearer EAAtoken-of-another-app"}, timeout=5)

    names = [t["name"] for t in first.json()["data"] + rest.json()["data"]]
    assert len(names) == 10 and "next" in first.json()["paging"] and "next" not in rest.json()["paging"]
    assert {"order_update", "spring_sale", "verification_code", "holiday_hours"} <= set(names)
    assert other_token.status_code == 400 and other_token.json()["error"]["code"] == 100


@pytest.mark.parametrize(
    ("template", "code"),
    [
        ({"name": "no_such_template", "language": {"code": "en_US"}}, 132001),
        ({"name": "holiday_hours", "language": {"code": "en_US"}, "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "Monday"}]}]}, 132015),
        ({"name": "welcome_offer", "language": {"code": "en_US"}}, 132016),
        ({"name": "case_update", "language": {"code": "en_US"}, "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "Ana"}]}]}, 132000),
    ],
    ids=["missing", "paused", "disabled", "parameter-count"],
)  # fmt: skip
def test_template_sends_fail_with_metas_template_errors(emulator, template, code):
    response = emulator.post_messages(
        {"messaging_product": "whatsapp", "to": CUSTOMER, "type": "template", "template": template}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


def test_an_approved_template_is_sent_outside_the_window_and_shown_filled_in(emulator):
    template = {
        "name": "case_update",
        "language": {"code": "en_US"},
        "components": [
            {"type": "body", "parameters": [{"type": "text", "text": t} for t in ("Ana", "CS1", "resolved")]}
        ],
    }

    response = emulator.post_messages(
        {"messaging_product": "whatsapp", "to": CUSTOMER, "type": "template", "template": template}
    )

    assert response.status_code == 200
    sent = emulator.control.wait_for_sent_message(to=CUSTOMER)
    assert sent["template"]["name"] == "case_update"
