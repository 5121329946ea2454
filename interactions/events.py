"""What a channel tells the core, in the core's terms. Channels translate their payloads into these."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class RecipientSignal(StrEnum):
    """What a failure tells about the customer rather than the message."""

    UNREACHABLE = "unreachable"  # the address is not on the channel (WhatsApp: 131026)
    MARKETING_STOPPED = "marketing_stopped"  # they stopped marketing messages in the app (WhatsApp: 131050)


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundMedia:
    """The file of a media message, as the channel names it; downloaded later, by a task."""

    external_id: str
    mime_type: str = ""
    sha256: str = ""
    filename: str = ""
    error: str = ""  # the channel could not deliver the file (e.g. too large); the message is kept without it


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundMessage:
    channel: str
    account_id: str
    sender_id: str
    sender_name: str
    external_id: str
    sent_at: datetime
    kind: str
    text: str = ""
    content: dict = field(default_factory=dict)
    reply_to_external_id: str | None = None
    media: InboundMedia | None = None
    # False for what the channel reports about the customer rather than from them (a changed number, an edit):
    # only a customer's own message opens or extends the 24-hour window.
    opens_service_window: bool = True
    # When we received it; `sent_at` is what the channel claims, believed only as far as it is plausible.
    received_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundMessageChanged:
    """The customer edited (`new_text`) or deleted (`deleted`) one of their earlier messages.

    `external_id` is the change's own id, `target_external_id` the message changed. Agents keep what was first
    written: an edit keeps the original text, a deletion only marks the message.
    """

    channel: str
    account_id: str
    sender_id: str
    sender_name: str
    external_id: str
    target_external_id: str
    occurred_at: datetime
    deleted: bool = False
    new_text: str = ""
    received_at: datetime | None = None  # `occurred_at` is the channel's claim, believed only if plausible


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelUserAddressChanged:
    """The customer moved to a new address on the channel (WhatsApp: a new phone number); the same person."""

    channel: str
    account_id: str
    old_sender_id: str
    new_sender_id: str
    external_id: str  # of the channel's notice, so a redelivery changes nothing twice
    occurred_at: datetime
    notice: str = ""  # the channel's own words, kept in the note
    received_at: datetime | None = None  # `occurred_at` is the channel's claim, believed only if plausible


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryStatusUpdate:
    """A status of one of our messages, as the channel reported it for one business account.

    `external_id` and `correlation_id` name a message only within `channel` and `account_id`: another account's
    statuses (whoever can sign for it) must never reach this account's messages.
    """

    channel: str
    account_id: str
    external_id: str
    status: str
    occurred_at: datetime
    correlation_id: str = ""
    error_code: str = ""
    error_title: str = ""
    error_detail: str = ""
    details: dict = field(default_factory=dict)
    recipient_signal: RecipientSignal | None = None
    received_at: datetime | None = None  # `occurred_at` is the channel's claim, believed only if plausible


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelError:
    """An error the channel reported that belongs to no message (e.g. an unsupported webhook)."""

    account_id: str
    code: str
    title: str
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class MarketingPreferenceChanged:
    """The customer stopped or resumed marketing messages inside the channel's own app."""

    channel: str
    account_id: str
    sender_id: str
    stopped: bool
    occurred_at: datetime
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateDefinition:
    """A message template as the channel reports it, in the core's terms (placeholders {{1}}, {{2}}…)."""

    account_id: str
    external_id: str
    name: str
    language: str
    category: str
    status: str
    body: str
    header: str = ""
    footer: str = ""
    buttons: tuple[dict, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateChange:
    """The channel changed a template's status or quality on its own (a review, a pause for low quality), told
    as it happened rather than found by the next sync. `status` or `quality` is None when it did not change.
    The template is named by the channel's id, or by name and language when the channel's id is unknown here."""

    account_ids: tuple[str, ...]
    external_id: str
    name: str
    language: str
    status: str | None = None
    quality: str | None = None
    reason: str = ""
