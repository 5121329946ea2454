"""Everything the emulator remembers, in memory, behind one lock.

One `threading.Condition` guards it all; every change bumps `version` and wakes the long-polls
(`GET /_emulator/sent`, the phone page's feed), which then check whether what they wait for exists.
"""

import secrets
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from enum import StrEnum

from channels_whatsapp.emulator.media import StoredMedia

LOG_LENGTH = 10_000


class Direction(StrEnum):
    TO_BUSINESS = "to_business"
    TO_CUSTOMER = "to_customer"


class MessageStatus(StrEnum):
    """For the business's messages, Meta's statuses; for the customer's, the ticks on their phone.

    A customer's message is `sent` (✓) once the emulator accepts it, `delivered` (✓✓) once the app's
    webhook answered 200, and `read` (blue) once the business marks it read.
    """

    ACCEPTED = "accepted"  # the business's message has a wamid but no status webhook yet
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


_STATUS_RANK = {
    MessageStatus.ACCEPTED: 0,
    MessageStatus.SENT: 1,
    MessageStatus.DELIVERED: 2,
    MessageStatus.READ: 3,
    MessageStatus.FAILED: 1,
}


def status_can_advance(*, current: MessageStatus, new: MessageStatus) -> bool:
    """Statuses only move forward; a failed message moves nowhere."""
    if current is MessageStatus.FAILED:
        return False
    if new is MessageStatus.FAILED:
        return current is MessageStatus.ACCEPTED
    return _STATUS_RANK[new] > _STATUS_RANK[current]


@dataclass(slots=True, kw_only=True)
class Customer:
    wa_id: str
    name: str
    on_whatsapp: bool = True
    online: bool = True
    last_inbound_at: float | None = None
    marketing_opted_out: bool = False  # "Stop promotions" in WhatsApp: marketing templates fail with 131050


@dataclass(slots=True, kw_only=True)
class ChatMessage:
    seq: int
    wamid: str
    phone_number_id: str
    wa_id: str
    direction: Direction
    type: str
    text: str | None
    created_at: float
    status: MessageStatus
    status_times: dict[str, float] = field(default_factory=dict)
    changed: int = 0
    reply_to: str | None = None
    # The object under the message's type key (a list for contacts); the phone page renders it.
    body: dict | list | None = None
    # The business's messages only: what the app POSTed, and the Graph API version it used.
    request: dict | None = None
    api_version: str | None = None
    errors: list[dict] = field(default_factory=list)
    # Media messages: {"id", "mime_type", "filename", "voice", "error"}; the caption is `text`.
    media: dict | None = None
    # The customer's messages only: sent in a WhatsApp group (its id), edited or deleted for everyone since.
    group_id: str | None = None
    edited: bool = False
    deleted: bool = False


@dataclass(slots=True, kw_only=True)
class ServiceConversation:
    id: str
    expires_at: float


@dataclass(slots=True, kw_only=True)
class Faults:
    """Switches that make the emulator misbehave the way Meta sometimes does; all off by default."""

    duplicate_deliveries: bool = False
    # This share of new webhooks (0 to 1) comes twice: every other one at the same moment, the rest a little later.
    duplicate_share: float = 0.0
    reorder_statuses: bool = False
    # This share of sent messages (0 to 1) has its statuses held and sent newest first, as `reorder_statuses` does.
    reorder_share: float = 0.0
    webhook_delay_seconds: float = 0.0
    drop_next_webhooks: int = 0
    fail_next_sends: int = 0
    slow_response_seconds: float = 0.0
    undeliverable_sync: bool = False
    force_rate_limit_next: int = 0
    fail_next_media_downloads: int = 0
    media_too_big_next: int = 0
    send_fault_rate: float = 0.0  # this share of sends is refused with a 429, a 503 or 131056 (see network.py)

    def update(self, changes: dict) -> None:
        """Apply a partial update, all or nothing; raises ValueError naming the bad switch."""
        types = {f.name: type(getattr(self, f.name)) for f in fields(self)}
        for name, value in changes.items():
            if name not in types:
                raise ValueError(f"unknown fault {name!r}; known: {', '.join(types)}")
            expected = types[name]
            valid = (
                isinstance(value, bool)
                if expected is bool
                else isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
            )
            if not valid or (expected is int and value != int(value)):
                raise ValueError(f"fault {name!r} must be a {'boolean' if expected is bool else 'number >= 0'}")
            if name.endswith("_rate") and value > 1:
                raise ValueError(f"fault {name!r} is a share: a number from 0 to 1")
        for name, value in changes.items():
            setattr(self, name, types[name](value))

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


ConversationKey = tuple[str, str]  # (phone_number_id, wa_id)


class EmulatorState:
    def __init__(self, *, log_length: int = LOG_LENGTH) -> None:
        self.log_length = log_length
        self.lock = threading.Condition()
        self.version = 0
        self._closed = False
        self._clear()

    def _clear(self) -> None:
        # A new epoch tells the phone page its cursor belongs to a forgotten past (reset or restart).
        self.epoch = secrets.token_hex(4)
        self.customers: dict[str, Customer] = {}
        self.messages: dict[str, ChatMessage] = {}
        self.conversation_versions: dict[ConversationKey, int] = {}
        self.service_conversations: dict[ConversationKey, ServiceConversation] = {}
        self.typing_until: dict[ConversationKey, float] = {}
        self.sends_by_number: dict[str, deque[float]] = {}
        self.sends_by_pair: dict[ConversationKey, deque[float]] = {}
        self.faults = Faults()
        self.revoked_tokens: set[str] = set()  # access tokens revoked since: every call with one gets error 190
        # Per phone number id: its quality rating and messaging limit since Meta changed them (else the config's).
        self.number_standing: dict[str, dict[str, str]] = {}
        self.templates: dict[str, list[dict]] = {}  # per WABA id, created on first use
        self.webhook_attempts: deque[dict] = deque(maxlen=self.log_length)
        self.requests: deque[dict] = deque(maxlen=self.log_length)
        self.media: dict[str, StoredMedia] = {}
        self._next_seq = 1

    def reset(self) -> None:
        with self.lock:
            self._clear()
            self.changed()

    def close(self) -> None:
        """Wake every long-poll so that a stopping server does not wait for them."""
        with self.lock:
            self._closed = True
            self.lock.notify_all()

    def changed(self, conversation: ConversationKey | None = None) -> int:
        """Call with the lock held after any change."""
        self.version += 1
        if conversation is not None:
            self.conversation_versions[conversation] = self.version
        self.lock.notify_all()
        return self.version

    def wait_until(self, ready: Callable[[], bool], *, timeout: float) -> bool:
        """Call with the lock held; True if `ready()` holds, within `timeout` seconds."""
        return self.lock.wait_for(lambda: self._closed or ready(), timeout=timeout) and ready()

    def add_message(self, **message_fields) -> ChatMessage:
        """Call with the lock held."""
        message = ChatMessage(seq=self._next_seq, **message_fields)
        self._next_seq += 1
        self.messages[message.wamid] = message
        self.touch(message)
        return message

    def touch(self, message: ChatMessage) -> None:
        """Call with the lock held after changing a message, so feeds and long-polls see it."""
        message.changed = self.changed((message.phone_number_id, message.wa_id))

    def chat(self, key: ConversationKey) -> list[ChatMessage]:
        return [m for m in self.messages.values() if (m.phone_number_id, m.wa_id) == key]

    def take_fault_count(self, name: str) -> bool:
        """Consume one unit of a countdown fault (`fail_next_sends`…); call with the lock held."""
        remaining = getattr(self.faults, name)
        if remaining <= 0:
            return False
        setattr(self.faults, name, remaining - 1)
        self.changed()
        return True
