"""Who may be written to, and with what: the business writing first (outreach), an answer inside the window the
customer opened (reply), and a queued message about to be handed to the channel (delivery). The workspace, the
API, the tasks and the virtual agent ask these; every refusal carries a reason a person can read.

Pure: facts in, a decision out. A leaf: the channel's service window is the core's rule, decided by the caller
and passed in (`ServiceWindow`), never asked from here.
"""

from dataclasses import dataclass
from datetime import datetime

import phonenumbers

from consent.models import KeywordAction, normalized_keyword

# The `content["consent"]` of the one message that may follow an opt-out.
OPT_OUT_CONFIRMATION = "opt_out_confirmation"

MARKETING = "marketing"


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsentState:
    """The latest record of one scope, or nothing recorded (status None)."""

    status: str | None = None
    at: datetime | None = None
    method: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceWindow:
    """The channel's answer on free-form messages now, as the core decided it."""

    open: bool
    reason: str = ""  # why only a template may be sent, when closed
    closes_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Recipient:
    """What the rules need to know about a customer who has a channel user profile."""

    channel_label: str  # "WhatsApp"
    phone_number: str
    consent: ConsentState
    marketing: ConsentState
    unreachable_since: datetime | None
    window: ServiceWindow
    # When we last received a message from them (any kind): after an opt-out, it says whether they wrote since.
    last_received_at: datetime | None


@dataclass(frozen=True, slots=True)
class OutreachDecision:
    allowed: bool
    reason: str = ""
    # Refused only because the service window is closed: an approved template may be sent instead.
    template_required: bool = False
    window_closes_at: datetime | None = None
    # Refused because the customer opted out then and has not written since: nothing may be sent, not even a template.
    opted_out_at: datetime | None = None


def _day(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d}"


def e164_number(phone_number: str) -> str | None:
    """The number in E.164 ("+4915112345678") if `phonenumbers` finds it valid, else None."""
    digits = phone_number.strip()
    try:
        parsed = phonenumbers.parse(digits if digits.startswith("+") else f"+{digits}")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def opt_out_silences(*, consent: ConsentState, last_received_at: datetime | None) -> bool:
    """After an opt-out, nothing but its confirmation goes out until the customer writes again or opts in.

    Writing again is any message received after the opt-out was recorded (the STOP itself was received before).
    """
    if consent.status != "opted_out":
        return False
    return last_received_at is None or consent.at is None or last_received_at <= consent.at


def _silenced_reason(consent: ConsentState) -> str:
    return (
        f"The customer opted out on {_day(consent.at)} and has not written since; nothing may be sent to them "
        "until they write again or opt in."
    )


def reply_decision(
    *,
    consent: ConsentState,
    last_received_at: datetime | None,
    window: ServiceWindow,
    confirms_opt_out: bool = False,
) -> OutreachDecision:
    """May the business answer free-form inside the window the customer opened (an agent's reply of any kind,
    the opt-in question)? The opt-out rule first, then the window. The send path and the workspace's composer
    (the interaction's `reply`) both ask this."""
    after_opt_out = delivery_decision(
        consent=consent, last_received_at=last_received_at, confirms_opt_out=confirms_opt_out
    )
    if not after_opt_out.allowed:
        return after_opt_out
    return _window_decision(window)


def delivery_decision(
    *, consent: ConsentState, last_received_at: datetime | None, confirms_opt_out: bool
) -> OutreachDecision:
    """Asked again as a queued message is handed to the channel: one queued before an opt-out never goes out
    after it (the channel, not us, enforces its window at that point)."""
    if not confirms_opt_out and opt_out_silences(consent=consent, last_received_at=last_received_at):
        return OutreachDecision(False, _silenced_reason(consent), opted_out_at=consent.at)
    return OutreachDecision(True)


def outreach_decision(*, recipient: Recipient | None, template_category: str | None) -> OutreachDecision:
    """May the business write first: a free-form message (no template category) or a template of that category?

    Checked in this order, the first failure answering: a profile; an opt-in; a valid number the channel has not
    reported unreachable; then the service window for free-form messages, or the marketing opt-out for marketing
    templates. A reply inside a window the customer opened is not outreach: `reply_decision` judges it.
    """
    if recipient is None:
        return OutreachDecision(
            False,
            "There is no customer profile for this number: the customer has never written to us and no opt-in "
            "was imported, so nobody has agreed to hear from us.",
        )
    if recipient.consent.status == "opted_out":
        return OutreachDecision(
            False,
            f"Customer opted out on {_day(recipient.consent.at)}; we may write first again only after they opt in.",
        )
    if recipient.consent.status != "opted_in":
        return OutreachDecision(
            False,
            "The customer has not opted in to messages from us; record their opt-in, with its evidence, first.",
        )
    number = e164_number(recipient.phone_number)
    if number is None:
        return OutreachDecision(False, f"+{recipient.phone_number.lstrip('+')} is not a valid international number.")
    if recipient.unreachable_since is not None:
        return OutreachDecision(
            False,
            f"{number} is not on {recipient.channel_label}: a message to it was "
            f"reported undeliverable on {_day(recipient.unreachable_since)}.",
        )
    if template_category is not None:
        if template_category == MARKETING and recipient.marketing.status == "opted_out":
            return OutreachDecision(
                False,
                f"The customer stopped marketing messages on {_day(recipient.marketing.at)}; "
                "only utility or authentication templates may be sent.",
            )
        return OutreachDecision(True)
    return _window_decision(recipient.window)


def _window_decision(window: ServiceWindow) -> OutreachDecision:
    """Free-form text inside the window; outside it only a template."""
    if not window.open:
        return OutreachDecision(False, window.reason, template_required=True, window_closes_at=window.closes_at)
    return OutreachDecision(True, window_closes_at=window.closes_at)


@dataclass(frozen=True, slots=True, kw_only=True)
class KeywordRule:
    word: str
    action: str
    language: str


@dataclass(frozen=True, slots=True, kw_only=True)
class KeywordMatch:
    opted_in: bool
    language: str
    word: str


def match_consent_keyword(*, text: str, rules: list[KeywordRule], answers_opt_in_question: bool) -> KeywordMatch | None:
    """A keyword counts only as the whole message ("Stop " is one, "stop it please" is not).

    Answer words (YES) count only right after we asked the opt-in question: said to anything else they are
    an ordinary answer, not consent.
    """
    said = normalized_keyword(text)
    if not said:
        return None  # a blank message (spaces only) is no keyword, even beside a keyword left blank
    for rule in rules:
        if normalized_keyword(rule.word) != said:
            continue
        if rule.action == KeywordAction.OPT_IN_ANSWER and not answers_opt_in_question:
            continue
        return KeywordMatch(opted_in=rule.action != KeywordAction.OPT_OUT, language=rule.language, word=said)
    return None
