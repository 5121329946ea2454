"""The `Idempotency-Key` header (the IETF draft): a client that sends the same key when it retries a request gets
what the first one did, and nothing is done twice. Required where outside systems send; optional for agents."""

from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 200


def idempotency_key(request: Request, *, required: bool) -> str:
    """The request's key, or "" when it has none and may go without."""
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if (required and not key) or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationError(
            {IDEMPOTENCY_HEADER: f"Send an Idempotency-Key header (up to {MAX_KEY_LENGTH} printable characters)."}
        )
    return key


def idempotency_parameter(*, required: bool) -> OpenApiParameter:
    return OpenApiParameter(
        IDEMPOTENCY_HEADER,
        location=OpenApiParameter.HEADER,
        required=required,
        description=f"Up to {MAX_KEY_LENGTH} printable characters; the same key for a retry of the same request",
    )


def marked_replayed(response: Response) -> Response:
    response[REPLAYED_HEADER] = "true"
    return response
