"""The WhatsApp connection (business numbers) and the raw inbox of webhook deliveries."""

from django.db import models
from django.db.models import Q

from interactions.encrypted_fields import EncryptedTextField


class BusinessNumber(models.Model):
    """A WhatsApp business phone number on the Cloud API; one deployment can serve several."""

    phone_number_id = models.CharField(max_length=64, unique=True)
    display_phone_number = models.CharField(max_length=32, blank=True)
    waba_id = models.CharField("WhatsApp Business Account id", max_length=64, blank=True)
    # Secrets, encrypted at rest (FIELD_ENCRYPTION_KEYS); the admin never shows the first two back.
    access_token = EncryptedTextField(help_text="System-user access token. Never shown after it is saved.")
    app_secret = EncryptedTextField(help_text="The Meta app's secret, which signs webhooks.")
    verify_token = EncryptedTextField(help_text="Echoed by Meta in the webhook handshake.")
    messages_per_second = models.PositiveIntegerField(default=80)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.display_phone_number or self.phone_number_id

    def __repr__(self) -> str:  # secrets stay out of logs and tracebacks
        return f"<BusinessNumber {self.phone_number_id}>"


class WebhookDelivery(models.Model):
    """One signed POST from Meta, stored raw before anything is parsed, processed once by a task."""

    # Bytes, not text: the body is kept exactly as signed, NUL, lone surrogate escapes and invalid UTF-8 included.
    body = models.BinaryField()
    signed_for = models.JSONField(
        default=list,
        blank=True,
        help_text="The business numbers (phone number ids) whose app secret signed it: only their events apply.",
    )
    received_at = models.DateTimeField(auto_now_add=True)
    body_removed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the raw body was removed (retention or a customer's erasure)."
    )
    processed_at = models.DateTimeField(null=True, blank=True)
    newest_event_at = models.DateTimeField(
        null=True, blank=True, help_text="Meta's time of the newest event it held, once applied (statuses, messages)."
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    summary = models.CharField(max_length=255, blank=True, help_text="What the delivery held, once processed.")
    refusals = models.TextField(
        blank=True, help_text="Events never applied, and why: unreadable items, or for a number that did not sign."
    )

    class Meta:
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["processed_at", "received_at"]),
            # How far Meta's stream has been applied (`inbox_progress`): read from the newest down.
            models.Index(
                fields=["-newest_event_at"], name="delivery_newest_event", condition=Q(newest_event_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"webhook delivery {self.pk}"


class GroupMessage(models.Model):
    """A message sent in a WhatsApp group (Meta's groups API), kept for admins.

    The desk serves one-to-one conversations only. Filed into the sender's own conversation, a group message
    would look private, and an agent's answer would reach that one member privately; so it is kept here, shown
    in the admin, and never answered.
    """

    phone_number_id = models.CharField(max_length=64)
    group_id = models.CharField(max_length=255)
    wamid = models.CharField(max_length=255, unique=True)
    sender = models.CharField(max_length=64, help_text="The member who wrote (wa_id).")
    sender_name = models.CharField(max_length=255, blank=True)
    type = models.CharField(max_length=32)
    text = models.TextField(blank=True, help_text="The text or caption, if the message has one.")
    content = models.JSONField(default=dict, blank=True, help_text="The message's object, as WhatsApp sent it.")
    sent_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.type} from {self.sender} in group {self.group_id}"


class TokenState(models.TextChoices):
    UNKNOWN = "unknown", "Not checked yet"
    VALID = "valid", "Valid"
    REFUSED = "refused", "Refused by Meta"
    UNCHECKED = "unchecked", "Could not be checked"


class NumberHealth(models.Model):
    """What the desk last learnt of a business number's standing with Meta: from the periodic check
    (`GET /{phone-number-id}`), from sends Meta refused, and from the `phone_number_quality_update` webhook."""

    number = models.OneToOneField(BusinessNumber, on_delete=models.CASCADE, related_name="health")
    token_state = models.CharField(max_length=16, choices=TokenState.choices, default=TokenState.UNKNOWN)
    token_problem = models.TextField(blank=True, help_text="Why the token was refused or could not be checked.")
    token_error_code = models.CharField(max_length=32, blank=True)
    token_state_since = models.DateTimeField(null=True, blank=True, help_text="When the token state last changed.")
    checked_at = models.DateTimeField(null=True, blank=True, help_text="The last check through the Graph API.")
    quality_rating = models.CharField(max_length=16, blank=True, help_text="GREEN, YELLOW, RED or UNKNOWN.")
    messaging_limit = models.CharField(max_length=32, blank=True, help_text="TIER_250, TIER_2K, … TIER_UNLIMITED.")
    quality_event = models.CharField(
        max_length=32, blank=True, help_text="The last phone_number_quality_update event (FLAGGED, DOWNGRADE, …)."
    )
    quality_event_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "number health"

    def __str__(self) -> str:
        return f"health of {self.number}"


class HealthEventKind(models.TextChoices):
    TOKEN = "token", "Access token"
    QUALITY = "quality", "Number quality or messaging limit"
    TEMPLATE_STATUS = "template_status", "Template status"
    TEMPLATE_QUALITY = "template_quality", "Template quality"


class HealthEvent(models.Model):
    """A change in a number's standing, for the health panel's history: kept as said, never edited."""

    number = models.ForeignKey(BusinessNumber, on_delete=models.CASCADE, related_name="health_events")
    kind = models.CharField(max_length=32, choices=HealthEventKind.choices)
    summary = models.CharField(max_length=500)
    is_problem = models.BooleanField(default=False, help_text="A change for the worse, which admins must look at.")
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["number", "-occurred_at"], name="health_event_number_time")]

    def __str__(self) -> str:
        return self.summary
