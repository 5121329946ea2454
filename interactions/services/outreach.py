"""The facts the outreach policy (`consent.policies`) judges, read for one customer, and its answer for them."""

from dataclasses import dataclass

from django.utils import timezone

from consent.models import ConsentScope
from consent.policies import OutreachDecision, Recipient, outreach_decision
from consent.selectors import consent_state
from interactions.channel_adapters import channel_capabilities
from interactions.models import ChannelUser, MessageTemplate


def recipient_for(channel_user: ChannelUser | None) -> Recipient | None:
    if channel_user is None:
        return None
    channel = channel_capabilities(channel_user.channel)
    return Recipient(
        channel_label=channel.label,
        service_window=channel.service_window,
        phone_number=channel_user.external_id,
        consent=consent_state(channel_user_id=channel_user.pk),
        marketing=consent_state(channel_user_id=channel_user.pk, scope=ConsentScope.MARKETING),
        unreachable_since=channel_user.unreachable_since,
        last_inbound_at=channel_user.last_inbound_at,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class OutreachOptions:
    free_form: OutreachDecision
    templates: list[tuple[MessageTemplate, OutreachDecision]]


def outreach_options_for(*, channel_user: ChannelUser | None, templates: list[MessageTemplate]) -> OutreachOptions:
    """The policy's answer for free-form text and for each template, from one reading of the customer's facts."""
    recipient, now = recipient_for(channel_user), timezone.now()
    return OutreachOptions(
        free_form=outreach_decision(recipient=recipient, template_category=None, now=now),
        templates=[
            (template, outreach_decision(recipient=recipient, template_category=template.category, now=now))
            for template in templates
        ],
    )


def outreach_decision_for(
    *, channel_user: ChannelUser | None, template: MessageTemplate | None = None
) -> OutreachDecision:
    """May the business write first to this customer, free-form (no template) or with this template?"""
    return outreach_decision(
        recipient=recipient_for(channel_user),
        template_category=template.category if template is not None else None,
        now=timezone.now(),
    )
