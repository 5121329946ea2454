"""The JSON of each event: stable, documented in the README, ids and the few fields an integrator needs.

Never a secret, never a channel's raw payload. Every event is
`{"id": <uuid>, "type": <EventType>, "occurred_at": <ISO 8601>, "data": {...}}`.
"""

import uuid
from datetime import datetime

from django.utils import timezone


def envelope(event_type: str, data: dict, *, event_id: uuid.UUID, occurred_at: datetime | None = None) -> dict:
    return {
        "id": str(event_id),
        "type": event_type,
        "occurred_at": (occurred_at or timezone.now()).isoformat(),
        "data": data,
    }


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def customer_data(channel_user) -> dict:
    return {
        "id": channel_user.pk,
        "channel": channel_user.channel,
        "address": channel_user.external_id,
        "name": channel_user.display_name,
    }


def interaction_data(interaction) -> dict:
    return {
        "id": interaction.pk,
        "number": interaction.number,
        "state": interaction.state,
        "channel": interaction.subtype,
        "queue": interaction.queue,
        "assigned_agent_id": interaction.assigned_to_id,
        "opened_at": _time(interaction.opened_at),
        "closed_at": _time(interaction.closed_at),
        "state_reason": interaction.state_reason,
        "customer": customer_data(interaction.channel_user),
    }


def interaction_event(interaction, *, previous_state: str = "", previous_agent_id: int | None = None) -> dict:
    return {
        "interaction": interaction_data(interaction),
        "previous_state": previous_state,
        "previous_agent_id": previous_agent_id,
    }


def message_event(message, interaction) -> dict:
    """`interaction` is the message's, as the caller holds it (with its channel user), so nothing is read again."""
    failed = message.status == "failed"
    return {
        "message": {
            "id": message.pk,
            "interaction_id": message.interaction_id,
            "direction": message.direction,
            "kind": message.kind,
            "text": message.text,
            "status": message.status,
            "sent_at": _time(message.sent_at),
            "author_id": message.author_id,
            "error": {"code": message.error_code, "title": message.error_title} if failed else None,
        },
        "customer": customer_data(interaction.channel_user),
    }


def consent_event(record) -> dict:
    return {
        "consent": {
            "id": record.pk,
            "scope": record.scope,
            "status": record.status,
            "method": record.method,
            "recorded_at": _time(record.recorded_at),
            "customer_id": record.channel_user_id,
        }
    }


def case_event(change) -> dict:
    case = change.case
    return {
        "case": {
            "id": case.pk,
            "number": case.number,
            "state": change.to_state,
            "short_description": case.short_description,
            "priority": case.priority,
            "customer_id": case.channel_user_id,
        },
        "previous_state": change.from_state,
        "changed_by_id": change.changed_by_id,
    }


def test_event(subscription) -> dict:
    return {"subscription_id": subscription.pk, "message": "A test event sent from the WhatsDesk admin."}
