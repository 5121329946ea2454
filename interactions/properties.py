"""The core's system properties (README, System properties): read with `properties.accessor.current`."""

from properties.registry import Kind, Property

WORKSPACE = "Agent workspace"
CUSTOMER_MESSAGES = "Messages to customers"

TYPING_INDICATOR_SECONDS = Property(
    key="interactions.typing_indicator_seconds",
    label="Typing indicator interval",
    group=WORKSPACE,
    kind=Kind.INTEGER,
    default=20,
    unit="seconds",
    minimum=5,
    maximum=25,
    maximum_reason="WhatsApp shows the indicator for 25 seconds, so a longer interval would let it lapse while the "
    "agent is still typing",
    description="While an agent types, the customer's typing indicator is renewed at most this often (each renewal "
    "is a call to WhatsApp).",
)
LINK_PREVIEWS = Property(
    key="interactions.link_previews",
    label="Link previews",
    group=WORKSPACE,
    kind=Kind.BOOLEAN,
    default=True,
    description="Show a card with the title, description and image of the first link in a message. Off: no page "
    "is fetched and no card is shown.",
)
INLINE_AUDIO = Property(
    key="interactions.inline_audio",
    label="Inline audio player",
    group=WORKSPACE,
    kind=Kind.BOOLEAN,
    default=True,
    description="Play audio and voice messages in the conversation. Off: they are offered as a download only.",
)
WINDOW_WARNING_MINUTES = Property(
    key="interactions.window_warning_minutes",
    label="Service window warning",
    group=WORKSPACE,
    kind=Kind.INTEGER,
    default=60,
    unit="minutes",
    minimum=0,
    maximum=24 * 60,
    maximum_reason="WhatsApp's customer service window lasts 24 hours",
    description="The workspace marks a conversation's customer service window as closing when this little of it "
    "is left (0: never).",
)
CUSTOMER_DATE_FORMAT = Property(
    key="interactions.customer_date_format",
    label="Date format",
    group=CUSTOMER_MESSAGES,
    kind=Kind.DATE_FORMAT,
    default="%A, %-d %B %Y",
    max_length=64,
    description="How dates are written in messages to customers (Python strftime codes: %A weekday, %-d day, "
    "%B month name, %m month number, %Y year).",
)
CUSTOMER_TIME_FORMAT = Property(
    key="interactions.customer_time_format",
    label="Time format",
    group=CUSTOMER_MESSAGES,
    kind=Kind.DATE_FORMAT,
    default="%H:%M",
    max_length=64,
    description="How times of day are written in messages to customers (%H:%M for 16:30, %-I:%M %p for 4:30 PM).",
)

PROPERTIES = (
    TYPING_INDICATOR_SECONDS,
    LINK_PREVIEWS,
    INLINE_AUDIO,
    WINDOW_WARNING_MINUTES,
    CUSTOMER_DATE_FORMAT,
    CUSTOMER_TIME_FORMAT,
)
