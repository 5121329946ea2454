"""An unavailable dependency (the database, Redis, the broker) is the server's temporary state, not a bug: the
answer is 503 with Retry-After and a reason, a JSON `detail` for the API and a plain page for people, never a
traceback. The API's exception handler and this middleware (for the web pages) share the one test below."""

import logging

import kombu.exceptions
import redis.exceptions
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
RETRY_LATER_HEADERS = {"Retry-After": str(RETRY_AFTER_SECONDS)}  # on every 503 we answer
UNAVAILABLE_DETAIL = (
    "The service is temporarily unavailable (a database or message server cannot be reached). Try again shortly."
)

# OperationalError also covers PostgreSQL's deadlock and serialization failures and SQLite's "database is
# locked": all of them succeed when retried, which is what Retry-After asks for.
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    kombu.exceptions.OperationalError,
)


def is_unavailable_dependency(exc: BaseException) -> bool:
    return isinstance(exc, UNAVAILABLE_ERRORS)


# SQLSTATE classes of a server that cannot be talked to: connection exceptions, and the server shutting down or
# starting up (57P01 to 57P03).
_UNREACHABLE_SQLSTATE_CLASSES = ("08", "57")


def is_unreachable_database(exc: BaseException) -> bool:
    """The database cannot be reached at all (refused, gone, its pool timed out), as opposed to a statement that
    failed and would pass if run again now (a deadlock, a lock timeout, SQLite's "database is locked")."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if cause is None or not hasattr(cause, "sqlstate"):  # not psycopg's: SQLite's errors are never about reaching it
        return False
    return cause.sqlstate is None or cause.sqlstate.startswith(_UNREACHABLE_SQLSTATE_CLASSES)  # None: client side


def log_unavailable(request: HttpRequest, exc: BaseException) -> None:
    logger.warning("503 for %s %s: %s: %s", request.method, request.path, type(exc).__name__, exc)


class UnavailableDependencyMiddleware:
    """For the web pages (and anything outside DRF's views): a plain 503 page, or JSON where JSON is expected."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        return unavailable_response(request, exc) if is_unavailable_dependency(exc) else None


def unavailable_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """The 503 for a request that met an unavailable dependency: also for a middleware that reads the database
    before any view runs (the sign-in's second factor)."""
    log_unavailable(request, exc)
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"detail": UNAVAILABLE_DETAIL}, status=503, headers=RETRY_LATER_HEADERS)
    page = render_to_string("503.html", {"detail": UNAVAILABLE_DETAIL})
    return HttpResponse(page, status=503, headers=RETRY_LATER_HEADERS)
