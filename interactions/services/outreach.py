"""The facts the consent policies (`consent.policies`) judge, read for one customer, and their answers for them.

Every outbound path asks one of these: a reply of any kind and the opt-in question (`reply_decision_for`), the
business writing first, templates and system messages (`outreach_decision_for`), and the delivery task as it
hands a queued message to the channel (`delivery_decision_for`). The service window is decided here, by the
core's policy, and passed in.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max
from django.utils import timezone

from consent.models import ConsentScope, ConsentStatus
from consent.policies import (
    OPT_OUT_CONFIRMATION,
    ConsentState,
    OutreachDecision,
    Recipient,
    ServiceWindow,
    delivery_decision,
    outreach_decision,
    reply_decision,
)
from consent.selectors import consent_state
from interactions.channel_adapters import channel_capabilities
from interactions.models import ChannelUser, Interaction, Message, MessageTemplate
from interactions.policies import free_form_send_decision
from interactions.selectors import received_from


def _consent_facts(channel_user: ChannelUser) -> tuple[ConsentState, datetime | None]:
    """The customer's consent, and when they last wrote: asked only after an opt-out, so the common case costs no
    query."""
    consent = consent_state(channel_user_id=channel_user.pk)
    if consent.status != ConsentStatus.OPTED_OUT:
        return consent, None
    return consent, received_from(channel_user_id=channel_user.pk).aggregate(at=Max("created_at"))["at"]


def service_window_for(channel_user: ChannelUser) -> ServiceWindow:
    window = free_form_send_decision(
        last_inbound_at=channel_user.last_inbound_at,
        now=timezone.now(),
        window=channel_capabilities(channel_user.channel).service_window,
    )
    return ServiceWindow(open=window.allowed, reason=window.reason, closes_at=window.window_closes_at)


def recipient_for(channel_user: ChannelUser | None) -> Recipient | None:
    if channel_user is None:
        return None
    channel = channel_capabilities(channel_user.channel)
    consent, last_received_at = _consent_facts(channel_user)
    return Recipient(
        channel_label=channel.label,
        phone_number=channel_user.external_id,
        consent=consent,
        marketing=consent_state(channel_user_id=channel_user.pk, scope=ConsentScope.MARKETING),
        unreachable_since=channel_user.unreachable_since,
        window=service_window_for(channel_user),
        last_received_at=last_received_at,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class OutreachOptions:
    free_form: OutreachDecision
    templates: list[tuple[MessageTemplate, OutreachDecision]]


def outreach_options_for(*, channel_user: ChannelUser | None, templates: list[MessageTemplate]) -> OutreachOptions:
    """The policy's answer for free-form text and for each template, from one reading of the customer's facts."""
    recipient = recipient_for(channel_user)
    return OutreachOptions(
        free_form=outreach_decision(recipient=recipient, template_category=None),
        templates=[
            (template, outreach_decision(recipient=recipient, template_category=template.category))
            for template in templates
        ],
    )


def confirms_opt_out(content: dict) -> bool:
    return content.get("consent") == OPT_OUT_CONFIRMATION


def outreach_decision_for(
    *, channel_user: ChannelUser | None, template: MessageTemplate | None = None
) -> OutreachDecision:
    """May the business write first to this customer, free-form (no template) or with this template?"""
    return outreach_decision(
        recipient=recipient_for(channel_user), template_category=template.category if template is not None else None
    )


def reply_decision_for(*, channel_user: ChannelUser, content: dict | None = None) -> OutreachDecision:
    """May the business answer this customer free-form now (inside their window, and not after their STOP)?"""
    consent, last_received_at = _consent_facts(channel_user)
    return reply_decision(
        consent=consent,
        last_received_at=last_received_at,
        window=service_window_for(channel_user),
        confirms_opt_out=confirms_opt_out(content or {}),
    )


def shown_reply_decision(interaction: Interaction) -> OutreachDecision:
    """What the workspace's composer is told about replying now: `reply_decision_for`'s answer, judged from the
    facts `selectors.with_reply_facts` read with the list or the detail, else read now (a live push, an
    action's answer)."""
    if not hasattr(interaction, "reply_consent_status"):
        return reply_decision_for(channel_user=interaction.channel_user)
    return reply_decision(
        consent=ConsentState(status=interaction.reply_consent_status, at=interaction.reply_consent_at),
        last_received_at=interaction.reply_last_received_at,
        window=service_window_for(interaction.channel_user),
    )


def delivery_decision_for(*, message: Message) -> OutreachDecision:
    """May this queued message be handed to the channel now? Asked by the delivery task, at the last moment."""
    consent, last_received_at = _consent_facts(message.interaction.channel_user)
    return delivery_decision(
        consent=consent,
        last_received_at=last_received_at,
        confirms_opt_out=confirms_opt_out(message.content),
    )
