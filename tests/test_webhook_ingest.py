"""Deliveries through a real server's lean webhook endpoint: concurrent ones are stored together, one row each, and
every one processed; the cached app secrets still let a number added a moment ago in, and refuse with a reason."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from channels_whatsapp.models import BusinessNumber, WebhookDelivery
from channels_whatsapp.signature import SIGNATURE_HEADER, signature_header_value
from conftest import wait_until
from interactions.models import Message
from tests.test_resilience import signed_text_delivery, start_web_process

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DELIVERIES = 120


def test_concurrent_deliveries_are_each_stored_once_and_all_processed(live_system):
    deliveries = [signed_text_delivery(f"wamid.concurrent-{index}", f"Message {index}") for index in range(DELIVERIES)]
    url = f"{live_system.web_url}/webhooks/whatsapp/"

    with ThreadPoolExecutor(24) as pool:
        answers = list(pool.map(lambda d: requests.post(url, data=d[0], headers=d[1], timeout=30), deliveries))

    assert [answer.status_code for answer in answers] == [200] * DELIVERIES
    assert sorted(bytes(body) for body in WebhookDelivery.objects.values_list("body", flat=True)) == sorted(
        body for body, _ in deliveries
    )
    wait_until(
        lambda: not WebhookDelivery.objects.filter(processed_at__isnull=True).exists(), timeout=60, message="processing"
    )
    assert Message.objects.count() == DELIVERIES
    assert set(WebhookDelivery.objects.values_list("summary", flat=True)) == {"1 messages"}


def test_with_cached_secrets_a_number_added_since_is_let_in_at_once_and_a_wrong_one_refused(live_system):
    web_url = start_web_process(live_system, "web-cached-secrets", WHATSAPP_SIGNING_SECRETS_CACHE_SECONDS="300")
    url = f"{web_url}/webhooks/whatsapp/"
    body, headers = signed_text_delivery("wamid.cached-1", "First")
    assert requests.post(url, data=body, headers=headers, timeout=30).status_code == 200  # the secrets are read

    BusinessNumber.objects.create(phone_number_id="555000111", access_token="t", app_secret="new-app", verify_token="v")
    body, _ = signed_text_delivery("wamid.cached-2", "Second")
    signed = {SIGNATURE_HEADER: signature_header_value(body=body, app_secret="new-app")}
    added = requests.post(url, data=body, headers=signed, timeout=30)
    wrong = requests.post(
        url, data=body, headers={SIGNATURE_HEADER: signature_header_value(body=body, app_secret="nobody")}, timeout=30
    )
    live_system.stop("web-cached-secrets")

    assert added.status_code == 200
    assert WebhookDelivery.objects.get(body=body).signed_for == ["555000111"]
    assert wrong.status_code == 401
    assert wrong.text == "Invalid signature: the signature matches no business number's app secret"


@pytest.mark.parametrize(("length", "status"), [(100, 200), (101, 413)])
def test_a_body_over_the_limit_is_refused_by_the_endpoint(live_system, length, status):
    web_url = start_web_process(live_system, "web-small-limit", WHATSAPP_WEBHOOK_MAX_BODY_BYTES="100")
    body = b'{"pad":"' + b"x" * (length - 10) + b'"}'
    assert len(body) == length
    signed = {SIGNATURE_HEADER: signature_header_value(body=body, app_secret="test-app-secret")}

    answer = requests.post(f"{web_url}/webhooks/whatsapp/", data=body, headers=signed, timeout=30)
    live_system.stop("web-small-limit")

    assert answer.status_code == status
    assert WebhookDelivery.objects.count() == (1 if status == 200 else 0)
