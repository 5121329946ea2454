"""Notification rules: which events the customer hears of, in which words inside their service window (per
language) and with which template outside it. Whether free-form text or a template may go out at all stays the
channel's rule (consent, the 24-hour window); a rule only chooses the words."""

from django.db import models


class NotificationEvent(models.TextChoices):
    CASE_STATE_CHANGED = "case_state_changed", "Case state changed"
    CASE_COMMENT = "case_comment", "Agent's comment on a case"
    CATALOG_REQUEST_STATE_CHANGED = "catalog_request_state_changed", "Catalog request state changed"


class NotificationRule(models.Model):
    """One per event, seeded by a migration; admins edit them, never add or delete them."""

    event = models.CharField(max_length=40, choices=NotificationEvent.choices, unique=True)
    enabled = models.BooleanField(default=True, help_text="Off: the customer is told nothing of this event.")
    template_name = models.CharField(
        max_length=512,
        blank=True,
        help_text="The approved WhatsApp template sent outside the customer's 24-hour window; empty: nothing then.",
    )
    template_language = models.CharField(
        max_length=16, blank=True, default="en_US", help_text="The template's language as synced, e.g. en_US."
    )
    template_parameters = models.CharField(
        max_length=255,
        blank=True,
        help_text="The template body's values {{1}}, {{2}}… in order, by placeholder name, comma separated: "
        "customer_name, case_number, state.",
    )
    enabled_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When it was last switched on: the sweep never tells an event from before (made while it was off).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event"]

    def __str__(self) -> str:
        return self.get_event_display()


class NotificationText(models.Model):
    """The words for customers of one language; a language without its own text gets the English one."""

    rule = models.ForeignKey(NotificationRule, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(max_length=8, help_text="The customer's language: en, de, es…")
    text = models.TextField(blank=True, help_text="Sent inside the window; {placeholders} are filled in.")
    template_language = models.CharField(
        max_length=16,
        blank=True,
        help_text="This language's version of the rule's template (e.g. de); empty: the rule's template language.",
    )

    class Meta:
        ordering = ["rule", "language"]
        constraints = [models.UniqueConstraint(fields=["rule", "language"], name="notification_text_per_language")]

    def __str__(self) -> str:
        return f"{self.rule} ({self.language})"
