"""`/webhooks/whatsapp/`: Meta's verification handshake, and signed deliveries stored raw before anything else."""

import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from channels_whatsapp.connection import active_business_numbers
from channels_whatsapp.inbox import store_webhook_delivery
from channels_whatsapp.signature import SIGNATURE_HEADER, SignatureRefused, signing_accounts
from interactions.unavailable import RETRY_LATER_HEADERS

logger = logging.getLogger(__name__)


def _unavailable() -> HttpResponse:
    return HttpResponse("Service unavailable", status=503, content_type="text/plain", headers=RETRY_LATER_HEADERS)


def _verify_subscription(request: HttpRequest) -> HttpResponse:
    mode = request.GET.get("hub.mode")
    token = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    try:
        tokens = [number.verify_token for number in active_business_numbers()]
    except DatabaseError:
        return _unavailable()
    if mode == "subscribe" and any(t and constant_time_compare(t, token) for t in tokens):
        return HttpResponse(challenge, content_type="text/plain")
    return HttpResponse("Verification failed", status=403, content_type="text/plain")


def _declared_length(request: HttpRequest) -> int | None:
    """Content-Length if it is a plain ASCII number ("²" passes `str.isdigit` and then fails `int`)."""
    declared = request.headers.get("Content-Length", "")
    return int(declared) if declared.isascii() and declared.isdigit() else None


def _receive_delivery(request: HttpRequest) -> HttpResponse:
    limit = settings.WHATSAPP_WEBHOOK_MAX_BODY_BYTES
    declared_length = _declared_length(request)
    if declared_length is not None and declared_length > limit:
        return HttpResponse("Payload too large", status=413, content_type="text/plain")
    body = request.read(limit + 1)
    if len(body) > limit:
        return HttpResponse("Payload too large", status=413, content_type="text/plain")
    try:
        secrets = {number.phone_number_id: number.app_secret for number in active_business_numbers()}
        header_value = request.headers.get(SIGNATURE_HEADER)
        signed_for = signing_accounts(body=body, header_value=header_value, app_secrets=secrets)
        store_webhook_delivery(body=body, signed_for=signed_for)
    except SignatureRefused as refusal:
        logger.warning("rejected a webhook delivery: %s", refusal)
        return HttpResponse(f"Invalid signature: {refusal}", status=401, content_type="text/plain")
    except DatabaseError:
        # Never 200 for what we could not store: Meta redelivers.
        logger.exception("could not store a webhook delivery")
        return _unavailable()
    return HttpResponse("OK", content_type="text/plain")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _verify_subscription(request)
    return _receive_delivery(request)
