"""The service catalog: what a customer can request (items, in categories), the questions each asks, and the
requests with their answers."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class CatalogCategory(models.Model):
    name = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "catalog categories"

    def __str__(self) -> str:
        return self.name


class CatalogItem(models.Model):
    category = models.ForeignKey(CatalogCategory, on_delete=models.PROTECT, related_name="items")
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=500, blank=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["category", "name"], name="catalog_item_name_per_category")]

    def __str__(self) -> str:
        return self.name


class QuestionKind(models.TextChoices):
    TEXT = "text", "Text"
    CHOICE = "choice", "Choice"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    YES_NO = "yes_no", "Yes / no"


class CatalogQuestion(models.Model):
    """One question of an item, asked in `position` order. Its limits apply to the kind: length for text, range
    for numbers, days from today for dates (so "next week at the earliest" stays true every day)."""

    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(max_length=255, help_text="As the customer reads it, e.g. 'How many chairs?'")
    kind = models.CharField(max_length=16, choices=QuestionKind.choices, default=QuestionKind.TEXT)
    required = models.BooleanField(default=True)
    choices = models.JSONField(default=list, blank=True, help_text='Choice questions: ["Black", "Grey", "Blue"].')
    min_value = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text="Numbers: the smallest allowed."
    )
    max_value = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text="Numbers: the largest allowed."
    )
    max_length = models.PositiveIntegerField(null=True, blank=True, help_text="Text: the most characters allowed.")
    min_days_ahead = models.IntegerField(null=True, blank=True, help_text="Dates: the earliest, in days from today.")
    max_days_ahead = models.IntegerField(null=True, blank=True, help_text="Dates: the latest, in days from today.")

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(min_value__lte=models.F("max_value")),
                name="catalog_question_number_range",
            ),
            models.CheckConstraint(
                condition=Q(min_days_ahead__isnull=True)
                | Q(max_days_ahead__isnull=True)
                | Q(min_days_ahead__lte=models.F("max_days_ahead")),
                name="catalog_question_date_range",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        """The admin's check: each kind's limits make sense, so every question can be answered."""
        problems: dict[str, str] = {}
        choices = self.choices if isinstance(self.choices, list) else None
        if self.kind == QuestionKind.CHOICE:
            if choices is None or len(choices) < 2 or not all(isinstance(c, str) and c.strip() for c in choices):
                problems["choices"] = 'A choice question needs at least two choices, e.g. ["Black", "Grey"].'
            elif len({choice.strip().casefold() for choice in choices}) < len(choices):
                problems["choices"] = "Each choice must differ from the others."
        elif choices:
            problems["choices"] = "Only choice questions have choices."
        if self.kind != QuestionKind.NUMBER and (self.min_value is not None or self.max_value is not None):
            problems["min_value"] = "Only number questions have a smallest or largest value."
        if self.kind != QuestionKind.DATE and (self.min_days_ahead is not None or self.max_days_ahead is not None):
            problems["min_days_ahead"] = "Only date questions have an earliest or latest day."
        if self.kind != QuestionKind.TEXT and self.max_length is not None:
            problems["max_length"] = "Only text questions have a most characters allowed."
        if problems:
            raise ValidationError(problems)


class CatalogRequestState(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    IN_PROGRESS = "in_progress", "In progress"
    FULFILLED = "fulfilled", "Fulfilled"
    CANCELLED = "cancelled", "Cancelled"


class CatalogRequest(models.Model):
    number = models.CharField(max_length=16, unique=True)
    item = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="requests")
    state = models.CharField(max_length=16, choices=CatalogRequestState.choices, default=CatalogRequestState.SUBMITTED)
    channel_user = models.ForeignKey(
        "interactions.ChannelUser", on_delete=models.PROTECT, null=True, blank=True, related_name="catalog_requests"
    )
    contact = models.ForeignKey(
        "customer_service.Contact", on_delete=models.PROTECT, null=True, blank=True, related_name="catalog_requests"
    )
    interaction = models.ForeignKey(
        "interactions.Interaction", on_delete=models.SET_NULL, null=True, blank=True, related_name="catalog_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The agent who requested it for the customer; empty when the customer did.",
    )
    state_changes = models.PositiveIntegerField(
        default=0, help_text="Counts state changes; names each customer notification, so a retry sends once."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.number}: {self.item}"


class CatalogRequestAnswer(models.Model):
    """The answer as validated (`value`, text in a canonical form: 2026-12-24, 3, yes) beside the question's
    label at the time, so an edited question does not rewrite what the customer was asked."""

    request = models.ForeignKey(CatalogRequest, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(CatalogQuestion, on_delete=models.SET_NULL, null=True, related_name="+")
    label = models.CharField(max_length=255)
    value = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.label}: {self.value}"
