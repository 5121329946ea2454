"""Canned responses: snippets an agent finds in the composer by typing `/` and a few letters. Shared ones (no
owner) are the admins'; an agent keeps personal ones. The body's placeholders are checked on save."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from canned_responses.placeholders import validate_placeholders

SHORTCUT = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]*$", "Lower-case letters, digits, - and _ only, e.g. thanks or photo-please."
)


class CannedResponse(models.Model):
    shortcut = models.CharField(
        max_length=32, validators=[SHORTCUT], help_text="What the agent types after /, e.g. thanks."
    )
    title = models.CharField(max_length=120, help_text="What the composer's menu shows.")
    body = models.TextField(
        max_length=5000,
        validators=[validate_placeholders],
        help_text="The text; placeholders such as {customer_name}, {agent_name} and {case_number} are filled in.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_responses",
        help_text="Empty: shared with every agent. Otherwise this agent's own.",
    )
    language = models.CharField(
        max_length=16,
        blank=True,
        help_text="A language code such as en or de: offered first to customers of that language. Empty: any.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["shortcut", "language", "pk"]
        constraints = [
            # One shortcut per language among the shared ones, and per language in each agent's own.
            models.UniqueConstraint(
                fields=["shortcut", "language"], condition=Q(owner__isnull=True), name="canned_shared_shortcut"
            ),
            models.UniqueConstraint(
                fields=["owner", "shortcut", "language"], condition=Q(owner__isnull=False), name="canned_own_shortcut"
            ),
        ]

    def __str__(self) -> str:
        return f"/{self.shortcut} {self.title}"

    @property
    def shared(self) -> bool:
        return self.owner_id is None
