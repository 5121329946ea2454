"""The server's requests and responses, and the table that maps one to the other."""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: Message
    body: bytes
    path_params: dict[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Response:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


def json_response(status: int, payload: object, *, headers: tuple[tuple[str, str], ...] = ()) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return Response(status=status, body=body, headers=headers)


Handler = Callable[[Request], Response]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


def route(method: str, pattern: str, handler: Handler) -> Route:
    return Route(method, re.compile(pattern + r"\Z"), handler)


def match_route(routes: list[Route], *, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for candidate in routes:
        if candidate.method == method and (found := candidate.pattern.match(path)):
            return candidate, found.groupdict()
    return None
