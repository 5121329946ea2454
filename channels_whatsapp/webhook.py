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
from channels_whatsapp.signature import SIGNATURE_HEADER, signature_is_valid

logger = logging.getLogger(__name__)


def _verify_subscription(request: HttpRequest) -> HttpResponse:
    mode = request.GET.get("hub.mode")
    token = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    try:
        tokens = [number.verify_token for number in active_business_numbers()]
    except DatabaseError:
        return HttpResponse("Service unavailable", status=503, content_type="text/plain")
    if mode == "subscribe" and any(t and constant_time_compare(t, token) for t in tokens):
        return HttpResponse(challenge, content_type="text/plain")
    return HttpResponse("Verification failed", status=403, content_type="text/plain")


def _receive_delivery(request: HttpRequest) -> HttpResponse:
    declared_length = request.headers.get("Content-Length", "")
    limit = settings.WHATSAPP_WEBHOOK_MAX_BODY_BYTES
    if declared_length.isdigit() and int(declared_length) > limit:
        return HttpResponse("Payload too large", status=413, content_type="text/plain")
    body = request.read(limit + 1)
    if len(body) > limit:
        return HttpResponse("Payload too large", status=413, content_type="text/plain")
    try:
        secrets = [number.app_secret for number in active_business_numbers()]
        if not signature_is_valid(body=body, header_value=request.headers.get(SIGNATURE_HEADER), app_secrets=secrets):
            logger.warning("rejected a webhook delivery with a missing or wrong signature")
            return HttpResponse("Invalid signature", status=401, content_type="text/plain")
        store_webhook_delivery(body=body)
    except DatabaseError:
        # Never 200 for what we could not store: Meta redelivers.
        logger.exception("could not store a webhook delivery")
        return HttpResponse("Service unavailable", status=503, content_type="text/plain")
    return HttpResponse("OK", content_type="text/plain")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _verify_subscription(request)
    return _receive_delivery(request)
