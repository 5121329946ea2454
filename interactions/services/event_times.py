"""When a channel event happened, as the core records it: the channel's claim, believed as far as the one policy
for claimed times allows, measured against when we received it and the channel's own redelivery period."""

from datetime import datetime

from django.utils import timezone

from interactions.channel_adapters import channel_capabilities
from interactions.policies import plausible_event_time


def believed_event_time(*, channel: str, claimed: datetime, received_at: datetime | None) -> datetime:
    return plausible_event_time(
        claimed=claimed,
        received_at=received_at or timezone.now(),
        redelivery_period=channel_capabilities(channel).redelivery_period,
    )
