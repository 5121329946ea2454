"""How the core sends without knowing any channel: each channel registers an adapter at start-up."""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from interactions.events import RecipientSignal, TemplateDefinition

if TYPE_CHECKING:
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


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A token bucket: `rate` tokens a second, holding at most `burst`."""

    key: str
    rate: float
    burst: int


class ChannelAdapter(Protocol):
    def send(self, message: "Message") -> str:
        """Hands the message to the channel; returns the channel's id for it or raises DeliveryFailed."""
        ...

    def rate_limits(self, message: "Message") -> list[RateLimit]:
        """The channel's pacing limits that this message counts against."""
        ...

    def fetch_message_templates(self) -> list[TemplateDefinition]:
        """Every template of every business account the channel serves, as the channel has them now."""
        ...


_adapters: dict[str, ChannelAdapter] = {}


def register_channel_adapter(channel: str, adapter: ChannelAdapter) -> None:
    _adapters[channel] = adapter


def registered_channels() -> list[str]:
    return list(_adapters)


def channel_adapter(channel: str) -> ChannelAdapter:
    try:
        return _adapters[channel]
    except KeyError:
        raise LookupError(f"no adapter registered for channel {channel!r}") from None
