"""Messages automated workflows and outside systems send: the outreach policy decides, every request is kept
with its outcome (managers review refusals in the admin), and an idempotency key makes a retry send once."""

import hashlib
import json
import logging
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from interactions.models import (
    ChannelUser,
    MessageKind,
    MessageTemplate,
    Notification,
    NotificationOutcome,
    TemplateStatus,
)
from interactions.services.inbound import open_interaction_for
from interactions.services.outbound import (
    ActionRefused,
    IdempotencyKeyReused,
    queue_outbound_message,
    refuse_overlong_text,
)
from interactions.services.outreach import outreach_decision_for
from interactions.services.templates import TemplateValues, template_message_content
from interactions.services.timeline import lock_channel_user
from interactions.storable_text import column_length, fitted_text

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class SystemMessageContent:
    """Free-form text for an open window, and the template to use when it is closed (either may be left out)."""

    text: str = ""
    template_name: str = ""
    template_language: str = "en_US"
    template_values: TemplateValues = field(default_factory=TemplateValues)

    def as_json(self) -> dict:
        return {
            "text": self.text,
            "template": {
                "name": self.template_name,
                "language": self.template_language,
                "values": self.template_values.as_json(),
            }
            if self.template_name
            else None,
        }


@dataclass(frozen=True, slots=True)
class SystemMessageResult:
    notification: Notification
    replayed: bool  # an earlier request with this key decided it; nothing was sent now


def _fingerprint(*, recipient: str, content: SystemMessageContent, reason: str) -> str:
    document = json.dumps({"to": recipient, "content": content.as_json(), "reason": reason}, sort_keys=True)
    return hashlib.sha256(document.encode()).hexdigest()


def _replay(existing: Notification, fingerprint: str) -> SystemMessageResult:
    if existing.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "This idempotency key was already used for a different request; use a new key for a new message."
        )
    return SystemMessageResult(existing, replayed=True)


def send_system_message(
    *,
    channel_user: ChannelUser | None,
    content: SystemMessageContent,
    reason: str,
    idempotency_key: str,
    recipient: str = "",
    requested_by: AbstractBaseUser | None = None,
) -> SystemMessageResult:
    """Sends once per idempotency key, if the rules allow; returns the record of what happened either way."""
    reason = reason.strip()
    if not reason:
        raise ActionRefused("Say why the message is sent (the reason is shown to managers and kept).")
    if not idempotency_key:
        raise ActionRefused("An idempotency key is required, so that a retried request sends once.")
    if len(idempotency_key) > column_length(Notification, "idempotency_key"):
        # Cut, two keys could become one and a request be taken for another's retry.
        raise ActionRefused(
            f"The idempotency key is {len(idempotency_key)} characters long; "
            f"at most {column_length(Notification, 'idempotency_key')} are kept."
        )
    recipient = channel_user.external_id if channel_user is not None else recipient
    recipient = fitted_text(recipient, max_length=column_length(Notification, "recipient"))  # kept for the record
    fingerprint = _fingerprint(recipient=recipient, content=content, reason=reason)
    existing = Notification.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _replay(existing, fingerprint)
    try:
        with transaction.atomic():
            notification = _send(
                channel_user=channel_user,
                content=content,
                reason=reason,
                idempotency_key=idempotency_key,
                recipient=recipient,
                requested_by=requested_by,
                fingerprint=fingerprint,
            )
        return SystemMessageResult(notification, replayed=False)
    except IntegrityError:
        existing = Notification.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return _replay(existing, fingerprint)  # a concurrent retry with the same key won the race


def _send(
    *,
    channel_user: ChannelUser | None,
    content: SystemMessageContent,
    reason: str,
    idempotency_key: str,
    recipient: str,
    requested_by: AbstractBaseUser | None,
    fingerprint: str,
) -> Notification:
    notification = Notification(
        idempotency_key=idempotency_key,
        requested_by=requested_by,
        channel_user=channel_user,
        recipient=recipient,
        reason=reason[:255],
        content=content.as_json(),
        fingerprint=fingerprint,
    )
    if channel_user is not None:
        channel_user = lock_channel_user(channel_user.pk)  # the first lock (see timeline.py), decided under it
    try:
        kind, text, body = _choose_content(channel_user=channel_user, content=content)
    except ActionRefused as refusal:
        notification.outcome = NotificationOutcome.REFUSED
        notification.refusal_reason = refusal.reason
        notification.save()
        logger.info("system message refused (%s): %s", reason, refusal.reason)
        return notification
    interaction = open_interaction_for(channel_user, opened_at=timezone.now())
    notification.message = queue_outbound_message(
        interaction=interaction, author=None, kind=kind, text=text, content=body
    )
    notification.outcome = NotificationOutcome.SENT
    notification.save()
    return notification


def _choose_content(*, channel_user: ChannelUser | None, content: SystemMessageContent) -> tuple[str, str, dict]:
    """Free-form text while the window is open, else the template; refused with the policy's reason."""
    text = content.text.strip()
    if channel_user is not None:  # without a profile the outreach policy refuses below, with its reason
        refuse_overlong_text(channel=channel_user.channel, text=text)
    if not text and not content.template_name:
        raise ActionRefused("Give a text, a template, or both.")
    free_form = outreach_decision_for(channel_user=channel_user)
    if text and free_form.allowed:
        return MessageKind.TEXT, text, {}
    if not content.template_name:
        raise ActionRefused(
            free_form.reason + (" No template was given to send instead." if free_form.template_required else "")
        )
    if not free_form.allowed and not free_form.template_required:
        raise ActionRefused(free_form.reason)  # no profile, no consent, no reachable number: a template won't help
    template = MessageTemplate.objects.filter(
        channel=channel_user.channel,
        account_id=channel_user.account_id,
        name=content.template_name,
        language=content.template_language,
        status=TemplateStatus.APPROVED,
    ).first()
    if template is None:
        raise ActionRefused(
            f"There is no approved template {content.template_name} ({content.template_language}) for this number."
        )
    decision = outreach_decision_for(channel_user=channel_user, template=template)
    if not decision.allowed:
        raise ActionRefused(decision.reason)
    text, body = template_message_content(template=template, values=content.template_values)
    return MessageKind.TEMPLATE, text, body
