"""Request bodies, read so that nothing a client sends can reach the database as something it cannot store."""

from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32


class BoundedJSONParser(JSONParser):
    """JSON nested thousands deep makes Python's parser raise RecursionError (a 500); it is a malformed body."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as problem:
            raise ParseError("JSON parse error - the body is nested too deeply.") from problem


def _problem_in(value: object, depth: int = 0) -> str | None:
    if depth > MAX_JSON_DEPTH:
        return f"is nested more than {MAX_JSON_DEPTH} levels deep"
    if isinstance(value, str):
        if "\x00" in value:
            return "contains a NUL character"
        if any("\ud800" <= character <= "\udfff" for character in value):
            return "contains a lone surrogate, which is not a character"
        return None
    if isinstance(value, dict):
        children = [*value.keys(), *value.values()]
    elif isinstance(value, list):
        children = value
    else:
        return None
    for child in children:
        problem = _problem_in(child, depth + 1)
        if problem:
            return problem
    return None


class StorableJSONField(serializers.JSONField):
    """A JSON value the database can keep: PostgreSQL's jsonb refuses \\u0000 and UTF-8 has no lone surrogates."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        problem = _problem_in(value)
        if problem:
            raise serializers.ValidationError(f"The value {problem}.")
        return value
