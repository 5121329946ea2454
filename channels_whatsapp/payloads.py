"""Cloud API webhook payloads parsed into typed events. Only this module reads Meta's webhook JSON.

The parser never raises on content: an unknown status becomes UNKNOWN, an unknown field or shape an
UnsupportedChange, so one odd item never costs the rest of a delivery.
"""

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from interactions.storable_text import storable_document

logger = logging.getLogger(__name__)


class WhatsAppStatus(StrEnum):
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    PLAYED = "played"
    FAILED = "failed"
    UNKNOWN = "unknown"

    @classmethod
    def _missing_(cls, value: object) -> "WhatsAppStatus":
        logger.warning("unknown WhatsApp status %r", value)
        return cls.UNKNOWN


@dataclass(frozen=True, slots=True, kw_only=True)
class GraphError:
    code: int | None
    title: str
    message: str = ""
    details: str = ""

    @classmethod
    def from_payload(cls, raw: dict) -> "GraphError":
        error_data = raw.get("error_data") if isinstance(raw.get("error_data"), dict) else {}
        code = raw.get("code")
        return cls(
            code=code if isinstance(code, int) else None,
            title=str(raw.get("title") or raw.get("message") or ""),
            message=str(raw.get("message") or ""),
            details=str(error_data.get("details") or ""),
        )


def _identifier(raw: Any) -> str | None:
    """An id Meta sends as text; a number is read as its digits, anything else as no id, never as a failure that
    would cost the customer the message it came with."""
    if isinstance(raw, str):
        return raw or None
    return str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else None


def _timestamp(raw: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(raw), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(tz=UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class BusinessNumberRef:
    phone_number_id: str
    display_phone_number: str


@dataclass(frozen=True, slots=True, kw_only=True)
class IncomingMessage:
    """A message a customer sent. `body` holds the object under the message's own type key."""

    business: BusinessNumberRef
    wamid: str
    sender: str
    profile_name: str
    timestamp: datetime
    type: str
    body: dict = field(default_factory=dict)
    context_message_id: str | None = None
    errors: tuple[GraphError, ...] = ()
    group_id: str = ""  # sent in a WhatsApp group (Meta's groups API), not to us alone
    referral: dict = field(default_factory=dict)  # the click-to-WhatsApp ad the customer came from

    @property
    def text(self) -> str:
        return str(self.body.get("body", "")) if self.type == "text" else ""

    @classmethod
    def from_payload(cls, raw: dict, *, business: BusinessNumberRef, names: dict[str, str]) -> "IncomingMessage":
        message_type = str(raw.get("type") or "unknown")
        body = raw.get(message_type)
        context = raw.get("context") if isinstance(raw.get("context"), dict) else {}
        # Newer payloads may name the customer only by a business-scoped user id.
        # A `user_changed_user_id` notice names the customer only inside, by their previous id.
        system = raw.get("system") if isinstance(raw.get("system"), dict) else {}
        sender = str(
            raw.get("from") or raw.get("from_user_id") or system.get("previous_user_id") or raw["from_user_id"]
        )
        wamid = str(raw["id"])
        if not wamid:  # an empty id would name every such message at once: the second would pass for a redelivery
            raise KeyError("id")
        return cls(
            business=business,
            wamid=wamid,
            sender=sender,
            profile_name=names.get(sender, ""),
            timestamp=_timestamp(raw.get("timestamp")),
            type=message_type,
            # A contacts message carries a list under its type key; it is kept under that key.
            body=body if isinstance(body, dict) else {message_type: body} if isinstance(body, list) else {},
            context_message_id=_identifier(context.get("id")),
            errors=tuple(GraphError.from_payload(e) for e in raw.get("errors") or [] if isinstance(e, dict)),
            group_id=str(raw.get("group_id") or ""),
            referral=raw["referral"] if isinstance(raw.get("referral"), dict) else {},
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusChanged:
    business: BusinessNumberRef
    wamid: str
    status: WhatsAppStatus
    timestamp: datetime
    recipient_id: str
    callback_data: str = ""
    errors: tuple[GraphError, ...] = ()
    pricing: dict = field(default_factory=dict)
    conversation: dict = field(default_factory=dict)

    @classmethod
    def from_payload(cls, raw: dict, *, business: BusinessNumberRef) -> "StatusChanged":
        return cls(
            business=business,
            wamid=str(raw["id"]),
            status=WhatsAppStatus(raw.get("status")),
            timestamp=_timestamp(raw.get("timestamp")),
            recipient_id=str(raw.get("recipient_id") or ""),
            callback_data=str(raw.get("biz_opaque_callback_data") or ""),
            errors=tuple(GraphError.from_payload(e) for e in raw.get("errors") or [] if isinstance(e, dict)),
            pricing=raw.get("pricing") if isinstance(raw.get("pricing"), dict) else {},
            conversation=raw.get("conversation") if isinstance(raw.get("conversation"), dict) else {},
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class MarketingPreference:
    """The customer stopped (`stop`) or resumed (`resume`) marketing messages inside WhatsApp."""

    business: BusinessNumberRef
    wa_id: str
    value: str
    category: str
    detail: str
    timestamp: datetime

    @classmethod
    def from_payload(cls, raw: dict, *, business: BusinessNumberRef) -> "MarketingPreference":
        return cls(
            business=business,
            wa_id=str(raw["wa_id"]),
            value=str(raw.get("value") or ""),
            category=str(raw.get("category") or ""),
            detail=str(raw.get("detail") or ""),
            timestamp=_timestamp(raw.get("timestamp")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ValueLevelError:
    """An error in `value.errors[]`, tied to no message (e.g. 131000 unsupported webhook payload)."""

    business: BusinessNumberRef
    error: GraphError


@dataclass(frozen=True, slots=True, kw_only=True)
class UnsupportedChange:
    """A change we do not handle (another webhook field, or an item of an unknown shape), kept for the log."""

    field: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NumberQualityUpdate:
    """`phone_number_quality_update`: Meta changed a number's messaging limit or flagged its quality. It names the
    number only by its display number, within the account (`entry.id`)."""

    waba_id: str
    display_phone_number: str
    event: str  # FLAGGED, UNFLAGGED, UPGRADE, DOWNGRADE, THROUGHPUT_UPGRADE, ONBOARDING, …
    current_limit: str
    old_limit: str
    timestamp: datetime

    @classmethod
    def from_payload(cls, value: dict, *, waba_id: str, at: datetime) -> "NumberQualityUpdate":
        return cls(
            waba_id=waba_id,
            display_phone_number=str(value.get("display_phone_number") or ""),
            event=str(value.get("event") or "UNKNOWN").upper(),
            current_limit=str(value.get("current_limit") or value.get("max_daily_conversations_per_business") or ""),
            old_limit=str(value.get("old_limit") or ""),
            timestamp=at,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateStatusUpdate:
    """`message_template_status_update`: a template approved, rejected, paused, disabled…"""

    waba_id: str
    template_id: str
    name: str
    language: str
    event: str
    reason: str
    timestamp: datetime

    @classmethod
    def from_payload(cls, value: dict, *, waba_id: str, at: datetime) -> "TemplateStatusUpdate":
        other = value.get("other_info") if isinstance(value.get("other_info"), dict) else {}
        reason = str(value.get("reason") or "")
        if (not reason or reason.upper() == "NONE") and other.get("title"):
            reason = str(other["title"])  # a pause says which (FIRST_PAUSE, SECOND_PAUSE) here
        return cls(
            waba_id=waba_id,
            template_id=_identifier(value.get("message_template_id")) or "",
            name=str(value.get("message_template_name") or ""),
            language=str(value.get("message_template_language") or ""),
            event=str(value.get("event") or "UNKNOWN").upper(),
            reason=reason,
            timestamp=at,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateQualityUpdate:
    """`message_template_quality_update`: a template's quality score moved (GREEN, YELLOW, RED, UNKNOWN)."""

    waba_id: str
    template_id: str
    name: str
    language: str
    previous_quality: str
    new_quality: str
    timestamp: datetime

    @classmethod
    def from_payload(cls, value: dict, *, waba_id: str, at: datetime) -> "TemplateQualityUpdate":
        return cls(
            waba_id=waba_id,
            template_id=_identifier(value.get("message_template_id")) or "",
            name=str(value.get("message_template_name") or ""),
            language=str(value.get("message_template_language") or ""),
            previous_quality=str(value.get("previous_quality_score") or "UNKNOWN").upper(),
            new_quality=str(value.get("new_quality_score") or "UNKNOWN").upper(),
            timestamp=at,
        )


AccountEvent = NumberQualityUpdate | TemplateStatusUpdate | TemplateQualityUpdate
_ACCOUNT_FIELDS = {
    "phone_number_quality_update": NumberQualityUpdate,
    "message_template_status_update": TemplateStatusUpdate,
    "message_template_quality_update": TemplateQualityUpdate,
}

WebhookEvent = (
    IncomingMessage | StatusChanged | MarketingPreference | ValueLevelError | UnsupportedChange | AccountEvent
)

# `user_preferences` comes as its own field, and in newer payloads inside a `messages` change's value too.
_FIELDS_WITH_A_MESSAGES_VALUE = ("messages", "user_preferences")


class MalformedPayload(ValueError):
    """The body is not a WhatsApp Business Account notification at all."""


def parse_notification(document: Any) -> list[WebhookEvent]:
    """Every entry, change, message, status and error of one delivery, in order.

    Every string is made storable first (NUL and lone surrogates replaced, NaN and Infinity dropped), once for
    the whole document, so no parser of any kind of event can hand the core a value the database refuses.
    """
    document = storable_document(document)
    if not isinstance(document, dict) or document.get("object") != "whatsapp_business_account":
        raise MalformedPayload("not a whatsapp_business_account notification")
    entries = document.get("entry")
    if not isinstance(entries, list):
        raise MalformedPayload("'entry' is missing or not a list")
    events: list[WebhookEvent] = []
    for entry in entries:
        changes = entry.get("changes") if isinstance(entry, dict) else None
        for change in changes if isinstance(changes, list) else []:
            events.extend(_parse_change(change, entry=entry))
    return events


def _parse_change(change: Any, *, entry: dict) -> list[WebhookEvent]:
    if not isinstance(change, dict) or not isinstance(change.get("value"), dict):
        return [UnsupportedChange(field="?", reason="change without a value object")]
    field_name = str(change.get("field"))
    if field_name in _ACCOUNT_FIELDS:
        waba_id = _identifier(entry.get("id"))
        if waba_id is None:
            return [UnsupportedChange(field=field_name, reason="entry without the account's id")]
        at = _timestamp(entry.get("time")) if entry.get("time") is not None else datetime.now(tz=UTC)
        return [_ACCOUNT_FIELDS[field_name].from_payload(change["value"], waba_id=waba_id, at=at)]
    if field_name not in _FIELDS_WITH_A_MESSAGES_VALUE:
        return [UnsupportedChange(field=field_name, reason="field not handled")]
    value = change["value"]
    metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
    business = BusinessNumberRef(
        phone_number_id=str(metadata.get("phone_number_id") or ""),
        display_phone_number=str(metadata.get("display_phone_number") or ""),
    )
    contacts = value.get("contacts")
    names = {}
    for contact in contacts if isinstance(contacts, list) else []:
        if isinstance(contact, dict):
            profile = contact.get("profile")
            name = profile.get("name") if isinstance(profile, dict) else ""
            names[str(contact.get("wa_id") or contact.get("user_id"))] = str(name or "")
    events: list[WebhookEvent] = []
    for kind, parse in (
        ("messages", lambda raw: IncomingMessage.from_payload(raw, business=business, names=names)),
        ("statuses", lambda raw: StatusChanged.from_payload(raw, business=business)),
        ("errors", lambda raw: ValueLevelError(business=business, error=GraphError.from_payload(raw))),
        ("user_preferences", lambda raw: MarketingPreference.from_payload(raw, business=business)),
    ):
        items = value.get(kind) or []
        for raw in items if isinstance(items, list) else []:
            try:
                events.append(parse(raw))
            except (KeyError, TypeError, AttributeError) as problem:
                logger.warning("skipping a malformed %s item: %r", kind, problem)
                events.append(UnsupportedChange(field=f"messages.{kind}", reason=f"malformed item: {problem!r}"))
    return events
