"""Meta's error objects: the Graph API's `{"error": …}` answers and the `errors[]` of status webhooks.

Codes, messages and `error_data.details` follow Meta's error-code reference, because the app decides
what to do (retry, fail, send a template) from `code` and `details` alone.
"""

from dataclasses import dataclass

ERROR_CODES_URL = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"


@dataclass(frozen=True, slots=True, kw_only=True)
class GraphError:
    http_status: int
    code: int
    message: str
    type: str = "OAuthException"
    details: str | None = None
    subcode: int | None = None
    is_transient: bool | None = None

    def body(self, *, fbtrace_id: str) -> dict:
        error: dict = {"message": self.message, "type": self.type, "code": self.code}
        if self.details is not None:
            error["error_data"] = {"messaging_product": "whatsapp", "details": self.details}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.is_transient is not None:
            error["is_transient"] = self.is_transient
        error["fbtrace_id"] = fbtrace_id
        return {"error": error}


class RequestRejected(Exception):
    """Raised by any check on a Graph API call; the server answers with the error it carries (and `Retry-After`
    when it says how long to wait). `injected`: a fault switched on, not a rule the request broke."""

    def __init__(self, error: GraphError, *, retry_after_seconds: int | None = None, injected: bool = False) -> None:
        super().__init__(error.message)
        self.error = error
        self.retry_after_seconds = retry_after_seconds
        self.injected = injected


def invalid_access_token() -> GraphError:
    return GraphError(http_status=401, code=190, message="Invalid OAuth access token - Cannot parse access token")


def session_invalidated() -> GraphError:
    """A token that was valid until revoked (its system user removed, or the token revoked in Business settings)."""
    return GraphError(
        http_status=401,
        code=190,
        subcode=460,
        message="Error validating access token: The session has been invalidated because the user changed their "
        "password or Facebook has changed the session for security reasons.",
    )


def nonexisting_field(name: str, *, node_type: str) -> GraphError:
    message = f"(#100) Tried accessing nonexisting field ({name}) on node type ({node_type})"
    return GraphError(http_status=400, code=100, message=message)


def unknown_object(*, object_id: str, method: str) -> GraphError:
    return GraphError(
        http_status=400,
        code=100,
        type="GraphMethodException",
        subcode=33,
        message=(
            f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, cannot be "
            "loaded due to missing permissions, or does not support this operation. Please read the Graph "
            "API documentation at https://developers.facebook.com/docs/graph-api"
        ),
    )


def invalid_parameter(details: str) -> GraphError:
    return GraphError(http_status=400, code=100, message="(#100) Invalid parameter", details=details)


def invalid_parameter_value(details: str) -> GraphError:
    """A parameter of the right type whose value Meta refuses, e.g. over a length or count limit."""
    return GraphError(http_status=400, code=131009, message="(#131009) Parameter value is not valid", details=details)


def re_engagement_required() -> GraphError:
    return GraphError(
        http_status=400,
        code=131047,
        message="(#131047) Re-engagement message",
        details=(
            "Message failed to send because more than 24 hours have passed since the customer last "
            "replied to this number."
        ),
    )


def undeliverable() -> GraphError:
    return GraphError(
        http_status=400,
        code=131026,
        message="(#131026) Message undeliverable",
        details="Message Undeliverable.",
    )


def throughput_reached(*, http_status: int = 400) -> GraphError:
    return GraphError(
        http_status=http_status,
        code=130429,
        message="(#130429) Rate limit hit",
        details="Cloud API message throughput has been reached.",
    )


def pair_rate_limit_hit() -> GraphError:
    return GraphError(
        http_status=400,
        code=131056,
        message="(#131056) (Business Account, Consumer Account) pair rate limit hit",
        details=(
            "Message failed to send because there were too many messages sent from this phone number "
            "to the same phone number in a short period of time."
        ),
    )


def service_unavailable(*, http_status: int = 500) -> GraphError:
    return GraphError(
        http_status=http_status, code=2, message="(#2) Service temporarily unavailable", is_transient=True
    )


def throttled() -> GraphError:
    """Meta's throughput error as an HTTP 429, the way a front end sheds load; it is sent with a Retry-After."""
    return throughput_reached(http_status=429)


def marketing_stopped_status_error() -> dict:
    """The `errors[]` entry of the `failed` status of a marketing template to someone who stopped marketing."""
    return {
        "code": 131050,
        "title": "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages "
        "on WhatsApp from your business.",
        "message": "Unable to deliver the message. This recipient has chosen to stop receiving marketing "
        "messages on WhatsApp from your business.",
        "error_data": {"details": "The recipient has stopped marketing messages from this business."},
        "href": ERROR_CODES_URL,
    }


def undeliverable_status_error() -> dict:
    """The `errors[]` entry of the `failed` status Meta sends for a number that is not on WhatsApp."""
    return {
        "code": 131026,
        "title": "Message undeliverable",
        "message": "Message undeliverable",
        "error_data": {"details": "Message Undeliverable."},
        "href": ERROR_CODES_URL,
    }


def media_link_status_error(details: str) -> dict:
    """The `errors[]` entry of the `failed` status of a media message whose `link` Meta could not use."""
    return {
        "code": 131053,
        "title": "Media upload error",
        "message": "Media upload error",
        "error_data": {"details": details},
        "href": ERROR_CODES_URL,
    }
