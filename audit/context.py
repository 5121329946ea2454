"""The request being served, so that listeners deep in a save (a group added to a user) know who did it and from
where without every service passing the request down."""

from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest

_current_request: ContextVar[HttpRequest | None] = ContextVar("audit_current_request", default=None)


@dataclass(frozen=True, slots=True)
class Origin:
    address: str | None
    user_agent: str


def origin_of(request: HttpRequest | None) -> Origin:
    """REMOTE_ADDR, as the sign-in lockout uses (interactions/login_attempts.py): behind a proxy, set it from the
    proxy's header there; X-Forwarded-For is the client's to forge."""
    if request is None:
        return Origin(address=None, user_agent="")
    return Origin(
        address=request.META.get("REMOTE_ADDR") or None, user_agent=request.META.get("HTTP_USER_AGENT", "")[:255]
    )


def current_request() -> HttpRequest | None:
    return _current_request.get()


class AuditContextMiddleware:
    """After the authentication middleware: the request's user is who acted."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
