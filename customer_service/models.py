"""Cases: the seed of customer service. A case stands for a customer's request from first report to resolution;
the customer_service issue grows it (categories, SLAs, knowledge articles). Today it carries a state whose
changes the customer is told about on WhatsApp, if the rules allow."""

from django.db import models


class CaseState(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    AWAITING_CUSTOMER = "awaiting_customer", "Awaiting customer"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class Case(models.Model):
    number = models.CharField(max_length=16, unique=True, null=True, blank=True)
    title = models.CharField(max_length=255)
    state = models.CharField(max_length=32, choices=CaseState.choices, default=CaseState.NEW)
    channel_user = models.ForeignKey(
        "interactions.ChannelUser", on_delete=models.PROTECT, related_name="cases", verbose_name="customer"
    )
    state_changes = models.PositiveIntegerField(
        default=0, help_text="Counts state changes; names each customer notification, so a retry sends once."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.number or 'case'}: {self.title}"
