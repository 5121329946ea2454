"""What a channel's failure says about the customer: not on the channel, or no more marketing. Kept so that
the business does not write first to a number it knows cannot be reached, or market to someone who said no."""

import logging
from datetime import datetime

from django.db import transaction

from consent.models import ConsentMethod, ConsentScope, ConsentStatus
from consent.selectors import consent_state
from consent.services import record_consent
from interactions.events import MarketingPreferenceChanged, RecipientSignal
from interactions.models import ChannelUser
from interactions.storable_text import storable_event

logger = logging.getLogger(__name__)


def apply_recipient_signal(*, channel_user: ChannelUser, signal: str, at: datetime) -> None:
    """Idempotent: statuses and failures are reported more than once."""
    if signal == RecipientSignal.UNREACHABLE:
        updated = ChannelUser.objects.filter(pk=channel_user.pk, unreachable_since__isnull=True).update(
            unreachable_since=at
        )
        if updated:
            channel_user.unreachable_since = at
    elif signal == RecipientSignal.MARKETING_STOPPED:
        record_marketing_preference(channel_user=channel_user, stopped=True, note="A marketing template was refused.")


def record_marketing_preference(*, channel_user: ChannelUser, stopped: bool, note: str = "") -> None:
    """The channel's own marketing opt-out (WhatsApp's "Stop promotions"), recorded when it changes the state.

    Recorded at the time we learn it: the latest record is the current state, and a channel's clock (whole
    seconds, possibly delayed) must not slip it behind a record we made since.
    """
    wanted = ConsentStatus.OPTED_OUT if stopped else ConsentStatus.OPTED_IN
    if consent_state(channel_user_id=channel_user.pk, scope=ConsentScope.MARKETING).status == wanted:
        return
    record_consent(
        channel_user=channel_user,
        status=wanted,
        method=ConsentMethod.CHANNEL_REPORT,
        scope=ConsentScope.MARKETING,
        note=note,
    )


@transaction.atomic
def record_marketing_preference_change(*, event: MarketingPreferenceChanged) -> None:
    event = storable_event(event)
    channel_user = ChannelUser.objects.filter(
        channel=event.channel, account_id=event.account_id, external_id=event.sender_id
    ).first()
    if channel_user is None:
        logger.info("marketing preference of %s, who has no profile here, ignored", event.sender_id)
        return
    record_marketing_preference(channel_user=channel_user, stopped=event.stopped, note=event.detail)
