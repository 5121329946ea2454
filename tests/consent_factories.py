"""Consent and templates in the states the outreach tests need."""

from django.utils import timezone

from consent.models import ConsentMethod, ConsentStatus
from consent.services import record_consent
from interactions.models import MessageTemplate


def opted_in(channel_user, *, by=None) -> None:
    record_consent(
        channel_user=channel_user,
        status=ConsentStatus.OPTED_IN,
        method=ConsentMethod.API_IMPORT,
        recorded_by=by,
        note="Imported from the shop's newsletter sign-ups.",
    )


def opted_out(channel_user) -> None:
    record_consent(channel_user=channel_user, status=ConsentStatus.OPTED_OUT, method=ConsentMethod.KEYWORD)


def template(channel_user, **fields) -> MessageTemplate:
    defaults = {
        "channel": channel_user.channel,
        "account_id": channel_user.account_id,
        "name": "order_update",
        "language": "en_US",
        "category": "utility",
        "status": "approved",
        "header": "Order {{1}}",
        "body": "Hi {{1}}, your order {{2}} has shipped and should arrive by {{3}}.",
        "footer": "Reply to this message to talk to our team.",
        "buttons": [
            {"type": "url", "text": "Track order", "url": "https://shop.example.com/track/{{1}}"},
            {"type": "quick_reply", "text": "Talk to an agent"},
        ],
        "synced_at": timezone.now(),
    }
    return MessageTemplate.objects.create(**{**defaults, **fields})
