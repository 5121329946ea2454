"""How the core sends without knowing any channel: each channel registers an adapter at start-up."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import IO, TYPE_CHECKING, Protocol

from interactions.events import RecipientSignal, TemplateDefinition

if TYPE_CHECKING:
    from interactions.controls import Control, RenderedMessage
    from interactions.media_policies import MediaRule
    from interactions.models import Message


class FailureKind(StrEnum):
    RETRYABLE = "retryable"  # not accepted; safe to try again after a delay
    PERMANENT = "permanent"  # not accepted and never will be as it stands
    UNKNOWN = "unknown"  # the request may have reached the channel; reconcile before trying again


class DeliveryFailed(Exception):
    def __init__(
        self,
        *,
        kind: FailureKind,
        code: str = "",
        title: str = "",
        detail: str = "",
        retry_after: timedelta | None = None,
        recipient_signal: RecipientSignal | None = None,
    ) -> None:
        super().__init__(f"{kind}: {code} {title}".strip())
        self.kind = kind
        self.code = code
        self.title = title
        self.detail = detail
        self.retry_after = retry_after
        self.recipient_signal = recipient_signal


class ChannelRequestFailed(Exception):
    """A request to the channel other than a send (e.g. fetching templates) got no usable answer."""


class MediaUnavailable(Exception):
    """The channel could not hand over a file; `retryable` says whether asking again later can help."""

    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


@dataclass(frozen=True, slots=True)
class DownloadedMedia:
    """A file fetched from the channel, spooled to disk past a few megabytes; the caller closes it."""

    file: IO[bytes]
    size: int
    mime_type: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelCapabilities:
    """What the core asks a channel instead of assuming WhatsApp's rules, so a second channel changes none of it."""

    label: str  # the channel's name for people: "WhatsApp"
    text_limit: int  # characters in one text message
    caption_limit: int  # characters in the caption of a file
    # How long after a customer's last message we may write to them freely; None: the channel sets no such limit.
    service_window: timedelta | None
    # How long the channel keeps redelivering an event: a claimed time older than this at receipt cannot be true.
    redelivery_period: timedelta


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxProgress:
    """How far the channel's stream of events has been applied, for deciding whether a status naming a send may
    still be on its way (`interactions.policies.unknown_outcome_wait`)."""

    # On the channel's clock (never past our receipt): the newest event time among the deliveries applied before
    # the oldest still waiting. A channel that falls behind delivers its backlog in about the order it stamped it;
    # what it redelivers after a failed delivery (our 503 while the database is away) may come later still, so the
    # grace period must cover the channel's first redeliveries.
    applied_through: datetime | None
    last_received_at: datetime | None  # on our clock: the newest delivery received, applied or not
    backlog: bool  # some delivery is still waiting to be applied


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A token bucket: `rate` tokens a second, holding at most `burst`."""

    key: str
    rate: float
    burst: int


class ChannelAdapter(Protocol):
    capabilities: ChannelCapabilities

    def send(self, message: "Message") -> str:
        """Hands the message to the channel; returns the channel's id for it or raises DeliveryFailed."""
        ...

    def rate_limits(self, message: "Message") -> list[RateLimit]:
        """The channel's pacing limits that this message counts against."""
        ...

    def content_problems(self, *, kind: str, content: dict) -> list[str]:
        """What the channel would refuse in a rich message (limits, required parts), in an agent's words."""
        ...

    def render_control(self, control: "Control", *, page: int = 1) -> "list[RenderedMessage]":
        """A responder's control (interactions/controls.py) as the channel's messages, within its limits; `page`
        of a choice too long for one message."""
        ...

    def mark_read(self, message: "Message", *, typing: bool) -> None:
        """Tells the customer an inbound message (and those before it) was read; with `typing`, shows "typing…".

        Raises DeliveryFailed like `send`.
        """
        ...

    def retry_can_help(self, *, error_code: str) -> bool:
        """Whether sending a failed message again may succeed (throttling, an outage) or never will as it stands."""
        ...

    def media_rules(self) -> "tuple[MediaRule, ...]":
        """The kinds of file the channel sends, with their types and size limits."""
        ...

    def download_media(self, *, account_id: str, media_id: str, max_bytes: int) -> DownloadedMedia:
        """Fetches a file a customer sent; raises MediaUnavailable."""
        ...

    def fetch_message_templates(self) -> list[TemplateDefinition]:
        """Every template of every business account the channel serves, as the channel has them now."""
        ...

    def inbox_progress(self) -> InboxProgress:
        """How far the events the channel delivered to us (statuses among them) have been applied."""
        ...


_adapters: dict[str, ChannelAdapter] = {}


def register_channel_adapter(channel: str, adapter: ChannelAdapter) -> None:
    _adapters[channel] = adapter


def registered_channels() -> list[str]:
    return list(_adapters)


def channel_capabilities(channel: str) -> ChannelCapabilities:
    return channel_adapter(channel).capabilities


def channel_adapter(channel: str) -> ChannelAdapter:
    try:
        return _adapters[channel]
    except KeyError:
        raise LookupError(f"no adapter registered for channel {channel!r}") from None
