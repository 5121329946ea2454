"""The webhook signature, and which of Meta's error codes a retry can help."""

import hashlib
import hmac

import pytest

from channels_whatsapp.errors import failure_kind_for, title_for
from channels_whatsapp.signature import SignatureRefused, signature_header_value, signing_accounts
from channels_whatsapp.tests.meta_fixtures import meta_body
from interactions.channel_adapters import FailureKind

BODY = meta_body("text_message")
SECRET = "test-app-secret"


def test_the_signature_is_the_hex_hmac_sha256_of_the_raw_body_under_the_app_secret():
    expected = "sha256=" + hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()

    assert signature_header_value(body=BODY, app_secret=SECRET) == expected


def test_a_correct_signature_names_the_number_whose_secret_signed():
    header = signature_header_value(body=BODY, app_secret=SECRET)

    assert signing_accounts(body=BODY, header_value=header, app_secrets={"100": SECRET}) == {"100"}


def test_only_the_numbers_whose_app_secret_signed_are_named():
    header = signature_header_value(body=BODY, app_secret="second-app")
    secrets = {"100": "first-app", "200": "", "300": "second-app", "400": "second-app"}

    assert signing_accounts(body=BODY, header_value=header, app_secrets=secrets) == {"300", "400"}


VALID = signature_header_value(body=BODY, app_secret=SECRET)


@pytest.mark.parametrize(
    ("header", "secrets", "reason"),
    [
        (None, {"1": SECRET}, "no X-Hub-Signature-256 header"),
        ("", {"1": SECRET}, "no X-Hub-Signature-256 header"),
        (signature_header_value(body=BODY, app_secret="test-verify-token"), {"1": SECRET}, "matches no"),
        (signature_header_value(body=BODY + b" ", app_secret=SECRET), {"1": SECRET}, "matches no"),
        (VALID.removeprefix("sha256="), {"1": SECRET}, "is not a sha256= signature"),
        ("sha1=" + hmac.new(SECRET.encode(), BODY, hashlib.sha1).hexdigest(), {"1": SECRET}, "not a sha256="),
        (VALID.upper(), {"1": SECRET}, "is not a sha256= signature"),
        (VALID, {}, "matches no"),
        (signature_header_value(body=BODY, app_secret=""), {"1": ""}, "matches no"),
        (VALID[:-1] + "é", {"1": SECRET}, "64 hexadecimal digits"),
        (VALID[:-2] + "\u00ff", {"1": SECRET}, "64 hexadecimal digits"),
        (VALID[:-1] + "\x00", {"1": SECRET}, "64 hexadecimal digits"),
        (VALID + "0", {"1": SECRET}, "64 hexadecimal digits"),
        (VALID[:-2], {"1": SECRET}, "64 hexadecimal digits"),
        (VALID[:-1] + "g", {"1": SECRET}, "64 hexadecimal digits"),
        (VALID + " ", {"1": SECRET}, "64 hexadecimal digits"),
        (f"{VALID},{VALID}", {"1": SECRET}, "several"),
        (f"{VALID}, sha256=" + "0" * 64, {"1": SECRET}, "several"),
    ],
    ids=[
        "missing",
        "empty",
        "signed with the verify token",
        "body changed after signing",
        "without the sha256= prefix",
        "sha1 signature",
        "upper-case prefix",
        "no app secret configured",
        "empty app secret",
        "non-ascii letter",
        "latin-1 byte",
        "nul byte",
        "one digit too many",
        "one digit short",
        "not hexadecimal",
        "trailing space",
        "the same value twice",
        "two values",
    ],
)
def test_a_missing_malformed_or_wrong_signature_is_refused_with_its_reason(header, secrets, reason):
    with pytest.raises(SignatureRefused, match=reason):
        signing_accounts(body=BODY, header_value=header, app_secrets=secrets)


def test_the_signature_covers_the_raw_bytes_not_the_parsed_json():
    reformatted = b'{"object":"whatsapp_business_account","entry":[]}'
    header = signature_header_value(body=b'{"object": "whatsapp_business_account", "entry": []}', app_secret=SECRET)

    with pytest.raises(SignatureRefused):
        signing_accounts(body=reformatted, header_value=header, app_secrets={"1": SECRET})


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (None, FailureKind.RETRYABLE),
        (4, FailureKind.RETRYABLE),
        (80007, FailureKind.RETRYABLE),
        (130429, FailureKind.RETRYABLE),
        (131056, FailureKind.RETRYABLE),
        (131057, FailureKind.RETRYABLE),
        (1, FailureKind.RETRYABLE),
        (2, FailureKind.RETRYABLE),
        (131000, FailureKind.RETRYABLE),
        (131016, FailureKind.RETRYABLE),
        (133004, FailureKind.RETRYABLE),
        (0, FailureKind.PERMANENT),
        (100, FailureKind.PERMANENT),
        (190, FailureKind.PERMANENT),
        (131026, FailureKind.PERMANENT),
        (131047, FailureKind.PERMANENT),
        (131048, FailureKind.PERMANENT),
        (131050, FailureKind.PERMANENT),
        (131051, FailureKind.PERMANENT),
        (368, FailureKind.PERMANENT),
        (999999, FailureKind.PERMANENT),
    ],
)
def test_only_throttling_and_metas_own_failures_are_worth_a_retry(code, kind):
    assert failure_kind_for(code) == kind


@pytest.mark.parametrize(
    ("code", "message", "title"),
    [
        (131026, "(#131026) Message Undeliverable.", "Message undeliverable"),
        (131047, "(#131047) Re-engagement message", "Re-engagement message"),
        (130429, "", "Message throughput limit reached"),
        (132069, "(#132069) Flow is throttled", "Flow is throttled"),
        (None, "HTTP 502 without Meta's error object", "HTTP 502 without Meta's error object"),
        (None, "", "Unknown error"),
        (123, "(#123 no closing", "(#123 no closing"),
    ],
)
def test_the_title_prefers_our_table_then_metas_text_without_its_code(code, message, title):
    assert title_for(code, message) == title


@pytest.mark.parametrize(
    ("http_status", "kind"),
    [
        (429, FailureKind.RETRYABLE),  # throttled by a proxy: try later
        (502, FailureKind.UNKNOWN),  # a proxy's bare 5xx may follow Meta's acceptance: reconcile first
        (504, FailureKind.UNKNOWN),
        (400, FailureKind.PERMANENT),
        (404, FailureKind.PERMANENT),
    ],
)
def test_an_answer_without_metas_error_object_is_judged_by_its_http_status(http_status, kind):
    assert failure_kind_for(None, http_status=http_status) == kind
