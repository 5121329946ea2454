"""Who may start a conversation, and with what. The one rule the workspace, the API, the tasks and
the virtual agent call before the business writes first; every refusal carries a reason a person can read.

Pure: facts and `now` in, a decision out. The service window itself stays with `interactions.policies`,
which this module asks rather than restates; how long it is, the channel says (in the recipient's facts).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers

from consent.models import KeywordAction, normalized_keyword
from interactions.policies import free_form_send_decision

MARKETING = "marketing"


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsentState:
    """The latest record of one scope, or nothing recorded (status None)."""

    status: str | None = None
    at: datetime | None = None
    method: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Recipient:
    """What the rules need to know about a customer who has a channel user profile."""

    channel_label: str  # "WhatsApp"
    service_window: timedelta | None  # the channel's; None: it has none
    phone_number: str
    consent: ConsentState
    marketing: ConsentState
    unreachable_since: datetime | None
    last_inbound_at: datetime | None


@dataclass(frozen=True, slots=True)
class OutreachDecision:
    allowed: bool
    reason: str = ""
    # Refused only because the service window is closed: an approved template may be sent instead.
    template_required: bool = False
    window_closes_at: datetime | None = None


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


def outreach_decision(*, recipient: Recipient | None, template_category: str | None, now: datetime) -> OutreachDecision:
    """May the business write first: a free-form message (no template category) or a template of that category?

    Checked in this order, the first failure answering: a profile; an opt-in; a valid number the channel has not
    reported unreachable; then the service window for free-form messages, or the marketing opt-out for marketing
    templates. A reply inside a window the customer opened is not outreach and is judged by the window alone.
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
    window = free_form_send_decision(
        last_inbound_at=recipient.last_inbound_at, now=now, window=recipient.service_window
    )
    if not window.allowed:
        return OutreachDecision(False, window.reason, template_required=True, window_closes_at=window.window_closes_at)
    return OutreachDecision(True, window_closes_at=window.window_closes_at)


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
    for rule in rules:
        if normalized_keyword(rule.word) != said:
            continue
        if rule.action == KeywordAction.OPT_IN_ANSWER and not answers_opt_in_question:
            continue
        return KeywordMatch(opted_in=rule.action != KeywordAction.OPT_OUT, language=rule.language, word=said)
    return None
