"""Meta's error codes, and which of them a retry can help. The one table every send consults."""

from interactions.channel_adapters import FailureKind
from interactions.events import RecipientSignal

# Throttling: not accepted now, accepted later.
THROTTLING_CODES = frozenset({4, 80007, 130429, 131056, 131057})
# Meta's side failed or is overloaded; the request was not acted on.
TRANSIENT_CODES = frozenset({1, 2, 131000, 131016, 133004})

TITLES = {
    0: "Authentication failed",
    1: "API unknown error",
    2: "API service temporarily unavailable",
    4: "Application request limit reached",
    100: "Invalid parameter",
    190: "Access token expired or invalid",
    80007: "WhatsApp Business Account rate limit reached",
    130429: "Message throughput limit reached",
    131000: "Something went wrong",
    131008: "Required parameter is missing",
    131009: "Parameter value is not valid",
    131016: "Service unavailable",
    131021: "Recipient cannot be sender",
    131026: "Message undeliverable",
    131031: "Business account has been locked",
    131047: "Re-engagement message",
    131050: "Customer stopped marketing messages",
    131051: "Unsupported message type",
    131052: "Media download error",
    131053: "Media upload error",
    131056: "Pair rate limit hit",
    131057: "Account in maintenance mode",
    132000: "Template parameter count mismatch",
    132001: "Template does not exist",
    132005: "Template text too long",
    132007: "Template violates policy",
    132012: "Template parameter format mismatch",
    132015: "Template is paused",
    132016: "Template is disabled",
    133004: "Server temporarily unavailable",
}

# What a failure says about the customer rather than the message; the core keeps it for the next outreach.
RECIPIENT_SIGNALS = {
    131026: RecipientSignal.UNREACHABLE,
    131050: RecipientSignal.MARKETING_STOPPED,
}


def failure_kind_for(code: int | None, *, http_status: int | None = None) -> FailureKind:
    """What a retry can do for a Graph API error.

    Without Meta's error object (`code` None) the HTTP status decides: a bare 429 is throttling; a bare 5xx from a
    proxy or load balancer may come after Meta accepted the request, so its outcome is unknown and reconciled by
    the message's statuses before any retry; any other bare answer is a request Meta will not take as it stands.
    """
    if code is None:
        if http_status == 429:
            return FailureKind.RETRYABLE
        if http_status is not None and http_status >= 500:
            return FailureKind.UNKNOWN
        return FailureKind.PERMANENT if http_status is not None else FailureKind.RETRYABLE
    if code in THROTTLING_CODES or code in TRANSIENT_CODES:
        return FailureKind.RETRYABLE
    return FailureKind.PERMANENT


# Failures an admin can cure (token, account, billing, registration); sending again after the fix succeeds.
ADMIN_FIXABLE_CODES = frozenset({0, 3, 10, 190, 131031, 131042, 131045, 133010})
# Our own codes for failures without Meta's answer: it never arrived, or the business number was not usable
# (deleted or deactivated in the admin, which an admin can cure).
NUMBER_UNAVAILABLE = "number_unavailable"
_RETRYABLE_LOCAL_CODES = frozenset({"", "unreachable", NUMBER_UNAVAILABLE})


def retry_can_help(code: str) -> bool:
    """Whether an agent's "retry" on a failed message can succeed: not for the customer's or the message's
    own problems (131026 not on WhatsApp, 131047 window closed, 100 a bad parameter, …)."""
    if not code.isdigit():
        return code in _RETRYABLE_LOCAL_CODES
    number = int(code)
    if 500 <= number < 600:
        return True  # no Meta code: the HTTP status of an answer without Meta's error object (a proxy's 502)
    return failure_kind_for(number) == FailureKind.RETRYABLE or number in ADMIN_FIXABLE_CODES


def title_for(code: int | None, message: str = "") -> str:
    """Meta says titles inside `message` will go; prefer our table, then Meta's text without its '(#code)'."""
    if code in TITLES:
        return TITLES[code]
    if message.startswith("(#") and ") " in message:
        return message.split(") ", 1)[1]
    return message or "Unknown error"


def recipient_signal_for(code: int | None) -> RecipientSignal | None:
    return RECIPIENT_SIGNALS.get(code)
