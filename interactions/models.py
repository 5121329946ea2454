"""Channel users, interactions and their messages: the channel-agnostic record of every conversation."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ChannelUser(models.Model):
    """A customer as one channel knows them: no login, identified by the channel's own id."""

    channel = models.CharField(max_length=32)
    account_id = models.CharField(
        max_length=64, help_text="The business account the customer wrote to (WhatsApp: phone number id)."
    )
    external_id = models.CharField(max_length=64, help_text="The channel's id for the customer (WhatsApp: wa_id).")
    display_name = models.CharField(max_length=255, blank=True)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    unreachable_since = models.DateTimeField(
        null=True, blank=True, help_text="When the channel reported the address unreachable (WhatsApp: 131026)."
    )
    language = models.CharField(
        max_length=16, blank=True, help_text="The customer's language (BCP 47, e.g. de or pt-BR), when known."
    )
    attributes = models.JSONField(
        default=dict,
        blank=True,
        help_text='What the business knows of the customer, e.g. {"vip": true}; routing reads it.',
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "account_id", "external_id"], name="unique_channel_user_per_account"
            )
        ]
        # A customer looked up by number alone (`?wa_id=`, outreach, notifications): the unique constraint
        # above starts with the account, so it cannot serve that.
        indexes = [models.Index(fields=["external_id"], name="channel_user_by_external_id")]

    def __str__(self) -> str:
        return f"{self.display_name or self.external_id} ({self.channel})"

    @property
    def address(self) -> str:
        return self.external_id


class InteractionType(models.TextChoices):
    MESSAGING = "messaging", "Messaging"


class InteractionState(models.TextChoices):
    NEW = "new", "New"
    WORK_IN_PROGRESS = "work_in_progress", "Work in progress"
    ON_HOLD = "on_hold", "On hold"  # waiting for the customer; open, and their next message resumes it
    CLOSED_COMPLETE = "closed_complete", "Closed complete"
    CLOSED_ABANDONED = "closed_abandoned", "Closed abandoned"


OPEN_STATES = (InteractionState.NEW, InteractionState.WORK_IN_PROGRESS, InteractionState.ON_HOLD)
CLOSED_STATES = (InteractionState.CLOSED_COMPLETE, InteractionState.CLOSED_ABANDONED)
NUMBER_PREFIX = "IMS"


class Interaction(models.Model):
    """One conversation with a channel user, from their first message until it is closed."""

    number = models.CharField(max_length=16, unique=True, null=True, blank=True)
    type = models.CharField(max_length=32, choices=InteractionType.choices, default=InteractionType.MESSAGING)
    subtype = models.CharField(max_length=32, help_text="The channel, e.g. whatsapp.")
    state = models.CharField(max_length=32, choices=InteractionState.choices, default=InteractionState.NEW)
    channel_user = models.ForeignKey(ChannelUser, on_delete=models.PROTECT, related_name="interactions")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_interactions",
    )
    queue = models.CharField(max_length=64, blank=True)
    automated_responder = models.CharField(
        max_length=64,
        blank=True,
        help_text="The automated responder (the virtual agent) answering the customer until it hands over; empty: "
        "people, through routing.",
    )
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The agent who closed it; empty when the system did (an idle customer). Agents wrap up theirs.",
    )
    hold_reason = models.CharField(max_length=255, blank=True, help_text="While on hold: what the customer owes us.")
    state_reason = models.CharField(max_length=255, blank=True, help_text="Why it was closed; every closure has one.")
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_message_preview = models.JSONField(
        default=dict, blank=True, help_text="Direction, kind and the start of the text, for lists without a join."
    )
    unread_count = models.PositiveIntegerField(default=0)
    revision = models.PositiveBigIntegerField(
        default=0, help_text="Bumped by every change to the timeline; clients catch up from their last one."
    )
    last_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-last_message_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel_user"],
                condition=Q(state__in=["new", "work_in_progress", "on_hold"]),
                name="one_open_interaction_per_channel_user",
            )
        ]
        indexes = [
            # The workspace list: the open interactions, most recent activity first, read a page at a time.
            models.Index(
                fields=["-last_message_at", "-id"],
                condition=Q(state__in=["new", "work_in_progress", "on_hold"]),
                name="open_interactions_by_activity",
            ),
            # Every other listing (all, closed, one customer's) in the same order.
            models.Index(fields=["-last_message_at", "-id"], name="interactions_by_activity"),
            # The wrap-ups still owed (routing reads them): conversations agents closed, recent ones first.
            models.Index(fields=["closed_at"], condition=Q(closed_by__isnull=False), name="closed_by_agents_by_time"),
            # Reports: the conversations opened in a period.
            models.Index(fields=["opened_at"], name="interactions_by_opened_at"),
        ]

    def __str__(self) -> str:
        return self.number or f"interaction {self.pk}"

    @property
    def opened_for(self) -> ChannelUser:
        return self.channel_user

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"
    # An internal note (a supervisor's whisper included): in the timeline for colleagues, never sent to the
    # customer. Every sending path reads only outbound rows, every customer-facing read only inbound or outbound.
    INTERNAL = "internal", "Internal (never sent)"


class MessageKind(models.TextChoices):
    TEXT = "text", "Text"
    TEMPLATE = "template", "Template"
    UNSUPPORTED = "unsupported", "Unsupported"
    # Rich kinds; their structured data is in Message.content (shapes in interactions/rich_content.py).
    LOCATION = "location", "Location"
    CONTACTS = "contacts", "Contacts"
    REACTION = "reaction", "Reaction"
    INTERACTIVE = "interactive", "Interactive"
    BUTTON = "button", "Template quick reply"
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"
    AUDIO = "audio", "Audio"
    DOCUMENT = "document", "Document"
    STICKER = "sticker", "Sticker"
    ORDER = "order", "Order"
    # What the channel reports about the customer rather than a message from them (a changed number, an edit or
    # deletion of a message we do not have); content["type"] says which.
    NOTICE = "notice", "Notice"
    NOTE = "note", "Internal note"  # direction internal; content["whisper_to"] names the agent a whisper is for


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    READ = "read", "Read"
    FAILED = "failed", "Failed"
    RECEIVED = "received", "Received"
    RECORDED = "recorded", "Recorded (internal, never sent)"


class ContentRemoval(models.TextChoices):
    """Why a message's content is gone while its row (direction, time, status) stays."""

    RETENTION = "retention", "Removed under the retention policy"
    ERASURE = "erasure", "Removed at the customer's erasure request"


class Message(models.Model):
    """A message in either direction. Outbound rows are the outbox: saved first, delivered by a task."""

    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="messages")
    sequence = models.PositiveIntegerField(help_text="Position in the interaction's timeline.")
    revision = models.PositiveBigIntegerField(help_text="The interaction revision of this row's last change.")
    direction = models.CharField(max_length=16, choices=Direction.choices)
    kind = models.CharField(max_length=32, default=MessageKind.TEXT)
    text = models.TextField(blank=True)
    content = models.JSONField(default=dict, blank=True, help_text="Kind-specific content, channel-agnostic.")
    external_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    reply_to = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    idempotency_key = models.CharField(
        max_length=200,
        blank=True,
        help_text="An agent's message: the key its request carried, so that a retry of it sends nothing more.",
    )
    status = models.CharField(max_length=16, choices=MessageStatus.choices)
    status_at = models.DateTimeField(null=True, blank=True)
    error_code = models.CharField(max_length=32, blank=True)
    error_title = models.CharField(max_length=255, blank=True)
    error_detail = models.TextField(blank=True)
    sent_at = models.DateTimeField(
        help_text="Inbound: when the customer sent it (from the channel). Outbound: when it was written."
    )
    claimed_sent_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Inbound: the time the channel claimed; `sent_at` differs when that could not be true.",
    )
    accepted_at = models.DateTimeField(null=True, blank=True, help_text="When the channel accepted it.")
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="Outbox: not tried again before this, whoever asks."
    )
    read_receipt_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="Inbound: when the channel was told an agent read it (once per message)."
    )
    deleted_by_customer_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Inbound: when the customer deleted it for everyone; agents still see it, marked deleted.",
    )
    edited_at = models.DateTimeField(null=True, blank=True, help_text="Inbound: when the customer last edited it.")
    original_text = models.TextField(blank=True, help_text="Inbound: the text as first sent, kept once edited.")
    content_removed_at = models.DateTimeField(
        null=True, blank=True, help_text="When its text and content were removed; the row itself stays."
    )
    content_removed_reason = models.CharField(
        "content removed", max_length=16, choices=ContentRemoval.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sequence"]
        constraints = [
            models.UniqueConstraint(fields=["interaction", "sequence"], name="unique_message_sequence"),
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="unique_agent_message_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(fields=["interaction", "revision"]),
            models.Index(fields=["status", "direction"]),
            # Retention reads the oldest messages whose content is still there, a batch at a time.
            models.Index(
                fields=["created_at"], condition=Q(content_removed_at__isnull=True), name="messages_with_content_by_age"
            ),
            # Reports: the messages that failed in a period.
            models.Index(fields=["status_at"], condition=Q(status="failed"), name="failed_messages_by_time"),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.kind} #{self.sequence} of {self.interaction}"


class DeliveryOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted by the channel"
    RETRYABLE = "retryable", "Failed, will retry"
    REJECTED = "rejected", "Rejected permanently"
    UNKNOWN = "unknown", "Outcome unknown"


class DeliveryAttempt(models.Model):
    """One try at handing an outbound message to the channel.

    An attempt without an outcome is in flight, or its worker died; it is reconciled (by a status webhook
    that carries the message's callback data, or after a grace period) before the message is tried again,
    so a send the channel already accepted is never repeated.
    """

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=DeliveryOutcome.choices, blank=True)
    error_code = models.CharField(max_length=32, blank=True)
    error_title = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["message", "number"], name="unique_attempt_number")]

    def __str__(self) -> str:
        return f"attempt {self.number} at {self.message}"


class DeliveryStatusEvent(models.Model):
    """A status report from the channel, kept once per (account, message id, status).

    Keyed by the channel's message id rather than a foreign key: a status may arrive before the send that
    produced the id has been recorded, and is applied as soon as it is. The account it came for is part of the
    key: a status another account reported never counts for, nor blocks the real status of, this one's message.
    """

    channel = models.CharField(max_length=32)
    account_id = models.CharField(
        max_length=64, help_text="The business account it came for (WhatsApp: phone number id)."
    )
    external_id = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=MessageStatus.choices)
    occurred_at = models.DateTimeField()
    error_code = models.CharField(max_length=32, blank=True)
    error_title = models.CharField(max_length=255, blank=True)
    error_detail = models.TextField(blank=True)
    correlation_id = models.CharField(
        max_length=255,
        blank=True,
        help_text="Our own id echoed back by the channel (WhatsApp: biz_opaque_callback_data).",
    )
    details = models.JSONField(default=dict, blank=True, help_text="Pricing and conversation, as reported.")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "account_id", "external_id", "status"], name="unique_status_per_account_message"
            )
        ]

    def __str__(self) -> str:
        return f"{self.status} for {self.external_id}"


class AttachmentState(models.TextChoices):
    PENDING = "pending", "Downloading"
    STORED = "stored", "Stored"
    UNAVAILABLE = "unavailable", "Unavailable"
    REMOVED = "removed", "Removed (retention or erasure)"


def stored_file_path(instance: models.Model, filename: str) -> str:
    """Our own name, never the sender's: a filename is whatever the customer's phone called it."""
    suffix = PurePath(filename).suffix.lower()[:10] if filename else ""
    folder = instance._meta.model_name
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class MessageAttachment(models.Model):
    """The file of a media message (image, video, audio, document, sticker), kept in Django's storage.

    Inbound files start `pending` and are downloaded by a task; outbound files are stored at once and uploaded
    to the channel when the message is delivered. The caption is the message's text, so it is never lost.
    """

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="attachment")
    state = models.CharField(max_length=16, choices=AttachmentState.choices, default=AttachmentState.PENDING)
    file = models.FileField(upload_to=stored_file_path, max_length=255, blank=True)
    mime_type = models.CharField(max_length=127, blank=True, help_text="Checked against the file's contents.")
    size = models.PositiveBigIntegerField(null=True, blank=True)
    filename = models.CharField(max_length=255, blank=True, help_text="The name the sender gave it (documents).")
    sha256 = models.CharField(max_length=128, blank=True, help_text="As the channel reported it.")
    external_id = models.CharField(max_length=255, blank=True, help_text="The channel's media id.")
    external_id_at = models.DateTimeField(null=True, blank=True, help_text="When we uploaded it to the channel.")
    download_attempts = models.PositiveIntegerField(default=0)
    failure_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The sweep for downloads whose task was lost reads only the few pending ones.
        indexes = [models.Index(fields=["updated_at"], condition=Q(state="pending"), name="pending_attachments_by_age")]

    def __str__(self) -> str:
        return f"{self.state} {self.mime_type or 'file'} of {self.message}"


class LinkPreviewState(models.TextChoices):
    PENDING = "pending", "Fetching"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class LinkPreview(models.Model):
    """Title, description and image of a web page, fetched once per address for every message that links to it."""

    url = models.TextField()
    url_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the address: one row per URL.")
    state = models.CharField(max_length=16, choices=LinkPreviewState.choices, default=LinkPreviewState.PENDING)
    title = models.CharField(max_length=300, blank=True)
    description = models.CharField(max_length=1000, blank=True)
    site_name = models.CharField(max_length=200, blank=True)
    image = models.FileField(upload_to=stored_file_path, max_length=255, blank=True)
    image_mime_type = models.CharField(max_length=127, blank=True)
    failure_reason = models.CharField(max_length=500, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.state} preview of {self.url[:80]}"


class TemplateCategory(models.TextChoices):
    UTILITY = "utility", "Utility"
    MARKETING = "marketing", "Marketing"
    AUTHENTICATION = "authentication", "Authentication"


class TemplateStatus(models.TextChoices):
    APPROVED = "approved", "Approved"
    PENDING = "pending", "Pending review"
    REJECTED = "rejected", "Rejected"
    PAUSED = "paused", "Paused"
    DISABLED = "disabled", "Disabled"
    OTHER = "other", "Other"


class TemplateQuality(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
    UNKNOWN = "unknown", "Not rated yet"


class MessageTemplate(models.Model):
    """A pre-approved message the channel lets us send outside the 24-hour window, synced from the channel.

    Placeholders are positional, {{1}}, {{2}}…, in the header, the body and URL buttons.
    """

    channel = models.CharField(max_length=32)
    account_id = models.CharField(max_length=64, help_text="The business account it may be sent from.")
    external_id = models.CharField(max_length=64, blank=True, help_text="The channel's id for the template.")
    name = models.CharField(max_length=512)
    language = models.CharField(max_length=16)
    category = models.CharField(max_length=32, choices=TemplateCategory.choices)
    status = models.CharField(max_length=16, choices=TemplateStatus.choices)
    header = models.TextField(blank=True)
    body = models.TextField()
    footer = models.TextField(blank=True)
    buttons = models.JSONField(default=list, blank=True, help_text='[{"type": "url"|"quick_reply"|…, "text", "url"}]')
    synced_at = models.DateTimeField()
    quality = models.CharField(
        max_length=16,
        choices=TemplateQuality.choices,
        blank=True,
        help_text="The channel's quality score for it (high, medium, low), when it gives one.",
    )
    status_reason = models.CharField(
        max_length=255, blank=True, help_text="Why the channel last changed its status (a rejection's reason)."
    )

    class Meta:
        ordering = ["name", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "account_id", "name", "language"], name="unique_template_per_account_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class NotificationOutcome(models.TextChoices):
    SENT = "sent", "Sent"
    REFUSED = "refused", "Refused"


class Notification(models.Model):
    """A message an automated workflow or an outside system asked to send, and what became of it.

    Kept whether sent or refused, so managers see every refusal with its reason; the idempotency key makes
    a retried request send once.
    """

    idempotency_key = models.CharField(max_length=255)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel_user = models.ForeignKey(ChannelUser, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recipient = models.CharField(max_length=64, help_text="The address as requested, even if no customer has it.")
    reason = models.CharField(max_length=255, help_text="Why the business writes (e.g. case CS0001 resolved).")
    content = models.JSONField(default=dict, help_text="The text and the template fallback as requested.")
    fingerprint = models.CharField(max_length=64, help_text="Of the request, to tell a retry from a key reused.")
    outcome = models.CharField(max_length=16, choices=NotificationOutcome.choices)
    refusal_reason = models.TextField(blank=True)
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["idempotency_key"], name="unique_notification_idempotency_key")]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.reason}"


class ListenerRunState(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed (gave up)"


class ListenerRun(models.Model):
    """One registered inbound listener (routing, the virtual agent) hearing of one new customer message.

    Written in the message's own transaction, so a committed message always has its runs; each run is its own
    task, retried with backoff, and a periodic sweep enqueues the ones whose task was lost.
    """

    listener = models.CharField(max_length=255, help_text="The name it was registered under.")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="listener_runs")
    state = models.CharField(max_length=16, choices=ListenerRunState.choices, default=ListenerRunState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True, help_text="When its latest attempt started.")
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["listener", "message"], name="one_listener_run_per_message")]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.listener} for message {self.message_id}: {self.get_state_display().lower()}"
