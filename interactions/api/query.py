"""Query parameters, read in one way: declared as a serializer (which the schema shows too) and refused with a
reason when they cannot be true, before any of them reaches the database.

DRF's CharField refuses NUL and lone surrogates, which PostgreSQL cannot store or compare (a 500 otherwise);
pagination refuses a limit a database cannot take instead of passing 2**63 on to PostgreSQL.
"""

from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

MAX_PAGE_SIZE = 200
MAX_BIGINT = 2**63 - 1  # the database's largest id and revision


def validated_query(request: Request, parameters: type[serializers.Serializer]) -> dict:
    """The request's query parameters as `parameters` declares them; 400 naming each that is wrong."""
    reader = parameters(data=request.query_params)
    reader.is_valid(raise_exception=True)
    return reader.validated_data


def _whole_number(request: Request, name: str, *, default: int, minimum: int, maximum: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    bound = f" up to {maximum}" if maximum is not None else ""
    if not (raw.isascii() and raw.isdigit()) or int(raw) < minimum or (maximum is not None and int(raw) > maximum):
        raise ValidationError({name: [f"Must be a whole number from {minimum}{bound}."]})
    return int(raw)


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """DRF's limit/offset, strict: a limit past MAX_PAGE_SIZE or a non-number is a 400, not a 500 or a guess."""

    max_limit = MAX_PAGE_SIZE

    def get_limit(self, request: Request) -> int:
        return _whole_number(
            request, self.limit_query_param, default=self.default_limit, minimum=1, maximum=self.max_limit
        )

    def get_offset(self, request: Request) -> int:
        # No upper bound needed: an offset past the count answers an empty page without a query.
        return _whole_number(request, self.offset_query_param, default=0, minimum=0, maximum=None)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        limit, offset = super().get_schema_operation_parameters(view)
        limit["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_limit, "default": self.default_limit}
        offset["schema"] = {"type": "integer", "minimum": 0, "default": 0}
        return [limit, offset]
