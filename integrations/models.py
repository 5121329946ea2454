"""Outbound webhooks: a subscriber's URL and the events it wants, and each event's delivery to it (the outbox)."""

import secrets

from django.db import models

from interactions.encrypted_fields import EncryptedTextField


class EventType(models.TextChoices):
    """The events an integrator can subscribe to; their payloads are documented in the README."""

    INTERACTION_OPENED = "interaction.opened", "Interaction opened"
    INTERACTION_ASSIGNED = "interaction.assigned", "Interaction assigned"
    INTERACTION_CLOSED = "interaction.closed", "Interaction closed"
    MESSAGE_RECEIVED = "message.received", "Message received"
    MESSAGE_SENT = "message.sent", "Message sent"
    MESSAGE_FAILED = "message.failed", "Message failed"
    CONSENT_CHANGED = "consent.changed", "Consent changed"
    CASE_CHANGED = "case.changed", "Case changed"
    TEST = "test", "Test event"


def new_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


class Subscription(models.Model):
    url = models.URLField(max_length=500, help_text="Where events are POSTed; must resolve to a public address.")
    events = models.JSONField(default=list, help_text="The event types (EventType values) sent to this URL.")
    # Encrypted at rest (FIELD_ENCRYPTION_KEYS) but readable, since it signs every delivery; shown once, when made.
    secret = EncryptedTextField(default=new_secret, editable=False)
    active = models.BooleanField(default=True)
    description = models.CharField(max_length=255, blank=True)
    disabled_reason = models.CharField(max_length=255, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.description or self.url


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed, will retry"
    GIVEN_UP = "given_up", "Given up"


class Delivery(models.Model):
    """One event for one subscription, written in the transaction of the change it tells of."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(help_text="The same for every subscription the event went to.")
    event_type = models.CharField(max_length=32, choices=EventType.choices)
    payload = models.JSONField()
    state = models.CharField(max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=models.Q(state__in=["pending", "failed"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription}"
