"""Opt-in and opt-out records, append-only: the current state is the latest record, the rest is the proof."""

from django.conf import settings
from django.db import models


class ConsentScope(models.TextChoices):
    ALL = "all", "All business-initiated messages"
    MARKETING = "marketing", "Marketing messages"


class ConsentStatus(models.TextChoices):
    OPTED_IN = "opted_in", "Opted in"
    OPTED_OUT = "opted_out", "Opted out"


class ConsentMethod(models.TextChoices):
    KEYWORD = "keyword", "Keyword message from the customer"
    WEB_FORM = "web_form", "Web form (recorded by an agent)"
    PAPER_FORM = "paper_form", "Paper form (recorded by an agent)"
    VERBAL = "verbal", "Told an agent (recorded by an agent)"
    API_IMPORT = "api_import", "API import"
    FIRST_CONTACT = "first_contact", "First contact (business policy)"
    CHANNEL_REPORT = "channel_report", "Reported by the channel (e.g. WhatsApp's marketing opt-out)"
    SETTINGS_CHOICE = "settings_choice", "Chosen by the customer in the virtual agent's notification settings"


AGENT_METHODS = (ConsentMethod.WEB_FORM, ConsentMethod.PAPER_FORM, ConsentMethod.VERBAL)


class ConsentRecord(models.Model):
    """One opt-in or opt-out. Never updated in place; removed only by a recorded data erasure."""

    channel_user = models.ForeignKey("interactions.ChannelUser", on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(max_length=16, choices=ConsentScope.choices, default=ConsentScope.ALL)
    status = models.CharField(max_length=16, choices=ConsentStatus.choices)
    method = models.CharField(max_length=32, choices=ConsentMethod.choices)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True, help_text="The evidence: which form, where it is kept, what was said.")
    message = models.ForeignKey(
        "interactions.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The customer's message that caused it (a keyword).",
    )
    message_text = models.CharField(max_length=255, blank=True, help_text="What the customer wrote, as proof.")
    language = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [
            models.Index(fields=["channel_user", "scope", "recorded_at"]),
            models.Index(fields=["recorded_at"], name="consent_records_by_time"),  # reports: a period's records
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.get_scope_display().lower()}) on {self.recorded_at:%Y-%m-%d}"


class ConsentErasure(models.Model):
    """The audit entry of a data erasure: the one way consent records are ever deleted."""

    channel_user = models.ForeignKey(
        "interactions.ChannelUser", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    records_erased = models.PositiveIntegerField()
    erased_at = models.DateTimeField()
    erased_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()

    class Meta:
        ordering = ["-erased_at"]

    def __str__(self) -> str:
        return f"erasure of {self.records_erased} consent record(s) on {self.erased_at:%Y-%m-%d}"


class KeywordLanguage(models.Model):
    """The keywords one language's customers use, and what we answer them, editable by admins."""

    code = models.CharField(max_length=16, unique=True, help_text="e.g. en, de, es")
    name = models.CharField(max_length=64)
    opt_out_confirmation = models.TextField(
        help_text="Sent when a customer opts out (inside the window: they just wrote)."
    )
    opt_in_confirmation = models.TextField(help_text="Sent when a customer opts in.")
    opt_in_question = models.TextField(
        help_text="Sent when an agent asks for consent; YES (or this language's answer keywords) answers it."
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class KeywordAction(models.TextChoices):
    OPT_OUT = "opt_out", "Opt out"
    OPT_IN = "opt_in", "Opt in"
    OPT_IN_ANSWER = "opt_in_answer", "Opt in, only as the answer to the opt-in question"


class ConsentKeyword(models.Model):
    language = models.ForeignKey(KeywordLanguage, on_delete=models.CASCADE, related_name="keywords")
    word = models.CharField(max_length=64, help_text="Matched whole, ignoring case and surrounding spaces.")
    action = models.CharField(max_length=16, choices=KeywordAction.choices)

    class Meta:
        ordering = ["language", "action", "word"]
        constraints = [models.UniqueConstraint(fields=["language", "word"], name="unique_keyword_per_language")]

    def __str__(self) -> str:
        return f"{self.word} ({self.get_action_display().lower()})"

    def clean(self) -> None:
        self.word = normalized_keyword(self.word)  # one way to write each keyword, so the constraint holds


def normalized_keyword(text: str) -> str:
    """How keywords are compared: trimmed, inner spaces collapsed, case folded ("Stop  all " is "STOP ALL")."""
    return " ".join(text.split()).upper()
