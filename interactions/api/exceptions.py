"""How the API answers what a service refuses, and what it cannot do now, in one place.

Services raise; views only call them. Each refusal's status follows from its class alone, never from the view:
installed as DRF's EXCEPTION_HANDLER in config.settings.
"""

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from consent.services import ConsentInvalid
from interactions.channel_adapters import ChannelRequestFailed
from interactions.rich_content import ContentRefused
from interactions.services.conversations import AlreadyInConversation
from interactions.services.lifecycle import ReasonRefused
from interactions.services.outbound import ActionRefused, IdempotencyKeyReused, MessageRefused, NotTheirConversation
from interactions.unavailable import RETRY_LATER_HEADERS, UNAVAILABLE_DETAIL, is_unavailable_dependency, log_unavailable

# First match wins, so a subclass comes before its base.
REFUSAL_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (ContentRefused, status.HTTP_400_BAD_REQUEST),  # the message as composed breaks the channel's rules
    (MessageRefused, status.HTTP_400_BAD_REQUEST),  # the channel would refuse this text or file as it is
    (ConsentInvalid, status.HTTP_400_BAD_REQUEST),  # not a status, method or scope a record can have
    (ReasonRefused, status.HTTP_400_BAD_REQUEST),  # a hold or closure without a reason, or one too long
    # The IETF Idempotency-Key draft: a key reused for a different payload is 422.
    (IdempotencyKeyReused, status.HTTP_422_UNPROCESSABLE_ENTITY),
    (NotTheirConversation, status.HTTP_403_FORBIDDEN),  # another agent's: read along and note, not act in it
    (ActionRefused, status.HTTP_409_CONFLICT),  # not possible now: the window, consent, the interaction's state
    (ChannelRequestFailed, status.HTTP_502_BAD_GATEWAY),  # the channel's API failed or could not be reached
)


def refusal_body(exc: Exception) -> dict:
    body: dict = {"detail": getattr(exc, "reason", None) or str(exc)}
    if isinstance(exc, ContentRefused):
        body["problems"] = exc.problems  # every problem at once, so the composer can show them all
    if isinstance(exc, AlreadyInConversation):
        body["interaction_id"] = exc.interaction.pk  # where to write to them instead
    return body


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if is_unavailable_dependency(exc):
        log_unavailable(context["request"], exc)
        return Response(
            {"detail": UNAVAILABLE_DETAIL},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers=RETRY_LATER_HEADERS,
        )
    for refusal, code in REFUSAL_STATUS:
        if isinstance(exc, refusal):
            return Response(refusal_body(exc), status=code)
    return drf_exception_handler(exc, context)
