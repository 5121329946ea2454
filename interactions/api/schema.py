"""The API's answers as the OpenAPI schema states them: every operation's success body and each error it can give.

Errors have two shapes. `detail` (a sentence a person can read) for 401, 403, 404, 409, 415, 422, 429, 502 and 503;
for 400, the fields that are wrong, each with its reasons, or a `detail` (with `problems` for a rich message).
"""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ConversationRefusalSerializer(ErrorDetailSerializer):
    interaction_id = serializers.IntegerField(required=False, help_text="The open conversation to continue instead")


BAD_REQUEST_SCHEMA = {
    "type": "object",
    "description": "Each wrong field (or `non_field_errors`) with its reasons; or `detail` when the body as a "
    "whole cannot be read or is refused, with every one of its `problems` for a rich message.",
    "properties": {
        "detail": {"type": "string"},
        "problems": {"type": "array", "items": {"type": "string"}},
        "non_field_errors": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "string"},
            {"type": "object", "description": "A nested object's fields, each with its reasons"},
        ]
    },
}

ERROR_MEANINGS = {
    400: "The request is malformed or a value is wrong",
    401: "Not signed in: send `Authorization: Token <key>` or a session cookie",
    403: "Your role may not do this (or not in this conversation: another agent has it)",
    404: "Nothing visible to you has this id",
    409: "Not possible now; `detail` says why",
    415: "The body's Content-Type is not one this operation reads",
    422: "The Idempotency-Key was already used for a different request",
    429: "Too many requests; `Retry-After` says when to try again",
    502: "The channel's API failed or could not be reached",
    503: "A database or message server is unavailable; `Retry-After` says when to try again",
}
ALWAYS = (401, 403, 429, 503)  # authentication, roles, throttling and outages can answer any operation


def answers(success: dict, *errors: int, refusal=ErrorDetailSerializer) -> dict:
    """`responses=` for extend_schema: the success bodies, the errors every operation can give, and `errors`."""
    described = dict(success)
    for code in sorted({*ALWAYS, *errors}):
        if code == 400:
            described[code] = OpenApiResponse(BAD_REQUEST_SCHEMA, description=ERROR_MEANINGS[code])
        else:
            body = refusal if code == 409 else ErrorDetailSerializer
            described[code] = OpenApiResponse(body, description=ERROR_MEANINGS[code])
    return described


def document_unsupported_media_type(result: dict, generator, request, public) -> dict:
    """A postprocessing hook: any operation that reads a body answers 415 to a Content-Type it cannot parse (DRF
    decides this before the view runs), so each says so, rather than every view restating it."""
    answer = {
        "description": ERROR_MEANINGS[415],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorDetail"}}},
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation["responses"].setdefault("415", answer)
    return result
