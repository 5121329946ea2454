"""Routing's tunable numbers, read in one place. The offer timeout, default capacity, idle and wrap-up times are
system properties (routing/properties.py: changed in the admin, effective at once); the rest have their defaults
here and may be set in the `ROUTING` setting. Nothing else reads either."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from properties.accessor import current
from routing import properties

DEFAULTS = {
    "COUNT_ON_HOLD_TOWARD_CAPACITY": True,
    "PRESENCE_GRACE_SECONDS": 60,
    "IDLE_REMINDER_TEXT": "Are you still there? Just reply to this message to continue.",
    # Empty: the conversation closes without a word to the customer.
    "IDLE_CLOSING_TEXT": "We have closed this conversation as we have not heard from you. Write to us any time.",
}


@dataclass(frozen=True)
class RoutingConfiguration:
    offer_timeout: timedelta
    default_capacity: int
    count_on_hold_toward_capacity: bool
    presence_grace: timedelta
    idle_reminder_after: timedelta
    idle_close_after: timedelta
    wrap_up_within: timedelta
    idle_reminder_text: str
    idle_closing_text: str


def routing_configuration() -> RoutingConfiguration:
    values = {**DEFAULTS, **getattr(settings, "ROUTING", {})}
    return RoutingConfiguration(
        offer_timeout=timedelta(seconds=current(properties.OFFER_TIMEOUT_SECONDS)),
        default_capacity=current(properties.DEFAULT_CAPACITY),
        count_on_hold_toward_capacity=values["COUNT_ON_HOLD_TOWARD_CAPACITY"],
        presence_grace=timedelta(seconds=values["PRESENCE_GRACE_SECONDS"]),
        idle_reminder_after=timedelta(minutes=current(properties.IDLE_REMINDER_MINUTES)),
        idle_close_after=timedelta(minutes=current(properties.IDLE_CLOSE_MINUTES)),
        wrap_up_within=timedelta(minutes=current(properties.WRAP_UP_MINUTES)),
        idle_reminder_text=values["IDLE_REMINDER_TEXT"],
        idle_closing_text=values["IDLE_CLOSING_TEXT"],
    )
