"""`/webhooks/whatsapp/`: Meta's verification handshake, and signed deliveries stored raw before anything else.

Under daphne or uvicorn a delivery (POST) never reaches Django's request path: config/asgi.py hands it to the
lean endpoint in `webhook_asgi`, which stores concurrent deliveries together. The view below answers the
handshake, and deliveries that do come through Django (its test client, `runserver`) one at a time; both give
the answers defined here, from the same checks.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from channels_whatsapp.connection import readable_secrets
from channels_whatsapp.delivery_counts import delivery_counts
from channels_whatsapp.inbox import ReceivedDelivery, enqueue_processing, store_webhook_deliveries
from channels_whatsapp.signature import SIGNATURE_HEADER, SignatureRefused
from channels_whatsapp.signing_secrets import signing_secrets
from interactions.unavailable import RETRY_LATER_HEADERS

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    text: str
    headers: dict[str, str] = field(default_factory=dict)


STORED = Answer(200, "OK")
TOO_LARGE = Answer(413, "Payload too large")
UNAVAILABLE = Answer(503, "Service unavailable", RETRY_LATER_HEADERS)  # never 200 for what we could not store


def refused(refusal: SignatureRefused) -> Answer:
    logger.warning("rejected a webhook delivery: %s", refusal)
    delivery_counts.refused()
    return Answer(401, f"Invalid signature: {refusal}")


def stored(signed_for: frozenset[str]) -> Answer:
    delivery_counts.delivered(signed_for)
    return STORED


def not_stored(problem: Exception) -> Answer:
    """Meta redelivers whatever is not answered 200."""
    logger.error("could not store a webhook delivery: %r", problem, exc_info=problem)
    return UNAVAILABLE if isinstance(problem, DatabaseError) else Answer(500, "Server error")


def too_large(declared_length: str | None) -> bool:
    """Content-Length over the limit; only a plain ASCII number counts ("²" passes `str.isdigit`, then fails `int`)."""
    declared = declared_length or ""
    return declared.isascii() and declared.isdigit() and int(declared) > settings.WHATSAPP_WEBHOOK_MAX_BODY_BYTES


def _response(answer: Answer) -> HttpResponse:
    return HttpResponse(answer.text, status=answer.status, content_type="text/plain", headers=answer.headers)


def _verify_subscription(request: HttpRequest) -> HttpResponse:
    mode = request.GET.get("hub.mode")
    token = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    try:
        tokens = readable_secrets("verify_token").values()
    except DatabaseError:
        return _response(UNAVAILABLE)
    if mode == "subscribe" and any(t and constant_time_compare(t, token) for t in tokens):
        return HttpResponse(challenge, content_type="text/plain")
    return HttpResponse("Verification failed", status=403, content_type="text/plain")


def _receive_delivery(request: HttpRequest) -> Answer:
    limit = settings.WHATSAPP_WEBHOOK_MAX_BODY_BYTES
    if too_large(request.headers.get("Content-Length")):
        return TOO_LARGE
    body = request.read(limit + 1)
    if len(body) > limit:
        return TOO_LARGE
    try:
        signed_for = signing_secrets.signers(body=body, header_value=request.headers.get(SIGNATURE_HEADER))
        delivery_ids = store_webhook_deliveries(deliveries=[ReceivedDelivery(body=body, signed_for=signed_for)])
    except SignatureRefused as refusal:
        return refused(refusal)
    except Exception as problem:
        return not_stored(problem)
    enqueue_processing(delivery_ids)
    return stored(signed_for)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _verify_subscription(request)
    return _response(_receive_delivery(request))
