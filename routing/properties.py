"""Routing's system properties: what `routing_configuration()` reads from the database (README, System
properties)."""

from properties.registry import Kind, Property

GROUP = "Routing"

OFFER_TIMEOUT_SECONDS = Property(
    key="routing.offer_timeout_seconds",
    label="Offer timeout",
    group=GROUP,
    kind=Kind.INTEGER,
    default=30,
    unit="seconds",
    minimum=1,
    maximum=600,
    description="How long an agent has to accept an offered conversation before it is offered to someone else.",
)
DEFAULT_CAPACITY = Property(
    key="routing.default_capacity",
    label="Default capacity",
    group=GROUP,
    kind=Kind.INTEGER,
    default=3,
    unit="conversations",
    minimum=1,
    maximum=50,
    description="How many conversations an agent handles at once unless their own capacity is set.",
)
IDLE_REMINDER_MINUTES = Property(
    key="routing.idle_reminder_minutes",
    label="Idle reminder after",
    group=GROUP,
    kind=Kind.INTEGER,
    default=10,
    unit="minutes",
    minimum=1,
    maximum=24 * 60,
    maximum_reason="past 24 hours WhatsApp's customer service window has closed and no reminder can be sent",
    description="When the customer has not answered an agent for this long, they get a reminder.",
)
IDLE_CLOSE_MINUTES = Property(
    key="routing.idle_close_minutes",
    label="Idle close after",
    group=GROUP,
    kind=Kind.INTEGER,
    default=30,
    unit="minutes",
    minimum=1,
    maximum=7 * 24 * 60,
    description="When the customer has still not answered this long after the idle reminder, the conversation "
    "closes as abandoned (with the closing message, if one is set).",
)
WRAP_UP_MINUTES = Property(
    key="routing.wrap_up_minutes",
    label="Wrap-up time",
    group=GROUP,
    kind=Kind.INTEGER,
    default=5,
    unit="minutes",
    minimum=1,
    maximum=24 * 60,
    description="An agent's wrap-up (resolution code and notes) is due this long after a conversation closes; "
    "a later one is still taken and marked late.",
)
QUEUE_WAITING_MESSAGE_INTERVAL_MINUTES = Property(
    key="routing.queue_waiting_message_interval_minutes",
    label="Queue waiting message interval",
    group=GROUP,
    kind=Kind.INTEGER,
    default=5,
    unit="minutes",
    minimum=1,
    maximum=24 * 60,
    description="A waiting customer hears their place in the queue at most this often, in every queue that does "
    "not set its own interval.",
)

PROPERTIES = (
    OFFER_TIMEOUT_SECONDS,
    DEFAULT_CAPACITY,
    IDLE_REMINDER_MINUTES,
    IDLE_CLOSE_MINUTES,
    WRAP_UP_MINUTES,
    QUEUE_WAITING_MESSAGE_INTERVAL_MINUTES,
)
