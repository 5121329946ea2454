"""Cases: a customer's request from first report to resolution, with every state it went through, the
conversations that touched it and the files the customer sent for it."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class CaseState(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    AWAITING_INFO = "awaiting_info", "Awaiting info"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


# States in which the customer still waits for us (or we for them): what "my open cases" lists.
OPEN_CASE_STATES = (CaseState.NEW, CaseState.OPEN, CaseState.AWAITING_INFO)


class CasePriority(models.IntegerChoices):
    CRITICAL = 1, "Critical"
    HIGH = 2, "High"
    MODERATE = 3, "Moderate"
    LOW = 4, "Low"


class CaseCategory(models.Model):
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "case categories"

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    number = models.CharField(max_length=16, unique=True)
    short_description = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    category = models.ForeignKey(CaseCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    priority = models.PositiveSmallIntegerField(choices=CasePriority.choices, default=CasePriority.MODERATE)
    state = models.CharField(max_length=32, choices=CaseState.choices, default=CaseState.NEW)
    channel_user = models.ForeignKey(
        "interactions.ChannelUser",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name="customer",
        null=True,
        blank=True,
        help_text="Who is told of its changes on their channel.",
    )
    contact = models.ForeignKey(
        "customer_service.Contact", on_delete=models.PROTECT, related_name="cases", null=True, blank=True
    )
    account = models.ForeignKey(
        "customer_service.Account", on_delete=models.PROTECT, related_name="cases", null=True, blank=True
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The agent who opened it; empty when the customer did (through the virtual agent).",
    )
    state_changes = models.PositiveIntegerField(
        default=0, help_text="Counts state changes; names each customer notification, so a retry sends once."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel_user__isnull=False) | Q(contact__isnull=False) | Q(account__isnull=False),
                name="case_has_a_customer",
                violation_error_message="A case belongs to a customer, a contact or an account.",
            )
        ]
        indexes = [models.Index(fields=["channel_user", "state"], name="cases_by_customer_and_state")]

    def __str__(self) -> str:
        return f"{self.number}: {self.short_description}"


class CaseStateChange(models.Model):
    """The case's history: append-only, one row per change, the first one its opening."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="history")
    from_state = models.CharField(max_length=32, choices=CaseState.choices, blank=True)
    to_state = models.CharField(max_length=32, choices=CaseState.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the customer or the system changed it.",
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case.number}: {self.from_state or '—'} → {self.to_state}"


class CaseComment(models.Model):
    """A customer-visible comment (the customer's own, or an agent's, which is sent to them) or an agent's work
    note (`internal`), which the customer never sees."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField(blank=True)
    internal = models.BooleanField(
        default=False, verbose_name="work note", help_text="For agents only; never shown or sent to the customer."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the customer wrote it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{'work note' if self.internal else 'comment'} on {self.case.number}"


class CaseInteraction(models.Model):
    """A conversation that touched the case: the one it was opened from, and any an agent linked it to."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="interaction_links")
    interaction = models.ForeignKey("interactions.Interaction", on_delete=models.CASCADE, related_name="case_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["linked_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "interaction"], name="case_interaction_once")]

    def __str__(self) -> str:
        return f"{self.case.number} ↔ {self.interaction_id}"


class CaseAttachment(models.Model):
    """A file the customer sent on their channel, referenced where it is stored (the message's attachment), not
    copied: its download, its checks and its access rules stay in one place."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    message_attachment = models.ForeignKey(
        "interactions.MessageAttachment", on_delete=models.PROTECT, related_name="case_attachments"
    )
    comment = models.ForeignKey(
        CaseComment, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "message_attachment"], name="case_attachment_once")]

    def __str__(self) -> str:
        return f"attachment of {self.case.number}"
