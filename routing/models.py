"""Who works on what: queues and the rules that fill them, agents' presence and capacity, and work items with their
history. Routing knows interactions and agents, never a channel's payloads.

Rules live in `routing/policies.py` (eligibility, ordering, business hours); writes in `routing/services/`.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Skill(models.Model):
    """What an agent can do that a queue may require (a language, a product)."""

    name = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QueuePriority(models.IntegerChoices):
    """Lower is served first, as in ServiceNow."""

    CRITICAL = 1, "1 - Critical"
    HIGH = 2, "2 - High"
    MODERATE = 3, "3 - Moderate"
    LOW = 4, "4 - Low"
    PLANNING = 5, "5 - Planning"


class Queue(models.Model):
    """Where interactions wait for a person, and who serves them. `key` is what an interaction records
    (`Interaction.queue`), so the core can name a queue's live group without knowing this model."""

    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=128)
    description = models.TextField(blank=True)
    priority = models.PositiveSmallIntegerField(choices=QueuePriority.choices, default=QueuePriority.MODERATE)
    is_default = models.BooleanField(
        default=False, help_text="Catches every interaction no routing rule sends elsewhere; exactly one queue."
    )
    agents = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="routing_queues")
    groups = models.ManyToManyField(Group, blank=True, related_name="routing_queues")
    required_skills = models.ManyToManyField(Skill, blank=True, related_name="queues")
    time_zone = models.CharField(max_length=64, default="UTC", help_text="An IANA name, e.g. Europe/Berlin.")
    business_hours = models.JSONField(
        default=dict,
        blank=True,
        help_text='Opening hours per weekday, e.g. {"mon": [["09:00", "17:00"]], "sat": []}; empty means always open.',
    )
    out_of_hours_message = models.TextField(blank=True, help_text="Sent to a customer who writes while closed.")
    waiting_message = models.TextField(
        blank=True, help_text="Sent while nobody can take the conversation; {position} is the place in the queue."
    )
    waiting_message_interval_minutes = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The waiting message is sent at most this often to one customer. Empty: the system property "
        "“Queue waiting message interval”.",
    )
    transfer_message = models.TextField(blank=True, help_text="Sent to the customer when a conversation moves here.")
    agents_see_each_others_conversations = models.BooleanField(default=False)
    auto_accept = models.BooleanField(default=False, help_text="Assign at once instead of offering.")
    offer_timeout_seconds = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty: the default.")
    prefer_previous_agent = models.BooleanField(
        default=False, help_text="A returning customer is offered to the agent of their last conversation first."
    )

    class Meta:
        ordering = ["priority", "name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_queue")
        ]

    def __str__(self) -> str:
        return self.name


class Holiday(models.Model):
    """A day a queue is closed all day, in its own time zone."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["queue", "date"], name="one_holiday_per_queue_and_date")]

    def __str__(self) -> str:
        return f"{self.queue}: {self.date} {self.name}".strip()


class RuleCondition(models.TextChoices):
    BUSINESS_ACCOUNT = "business_account", "Business number written to"
    LANGUAGE = "language", "Customer's language"
    KEYWORD = "keyword", "Keyword in the first message"
    HANDOFF_TOPIC = "handoff_topic", "Virtual agent's handoff topic"
    CUSTOMER_ATTRIBUTE = "customer_attribute", "Customer attribute"


class RoutingRule(models.Model):
    """Ordered: the first active rule that matches picks the queue; the default queue catches the rest."""

    order = models.PositiveIntegerField(default=100)
    name = models.CharField(max_length=128)
    is_active = models.BooleanField(default=True)
    condition = models.CharField(max_length=32, choices=RuleCondition.choices)
    attribute = models.CharField(max_length=64, blank=True, help_text="For a customer attribute: its name, e.g. vip.")
    value = models.CharField(
        max_length=255,
        help_text="What must match: an account id, a language, comma-separated keywords, a topic, an attribute value.",
    )
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="rules")

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class Presence(models.TextChoices):
    AVAILABLE = "available", "Available"
    AWAY = "away", "Away"
    OFFLINE = "offline", "Offline"


class AgentProfile(models.Model):
    """An agent's routing state: one row per agent, locked when offers are made to them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="routing_profile")
    capacity = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Messaging conversations at once; empty: the default."
    )
    skills = models.ManyToManyField(Skill, blank=True, related_name="agents")
    presence = models.CharField(max_length=16, choices=Presence.choices, default=Presence.OFFLINE)
    away_reason = models.CharField(max_length=128, blank=True)
    presence_changed_at = models.DateTimeField(default=timezone.now)
    last_offer_at = models.DateTimeField(null=True, blank=True, help_text="Ties go to who has waited longest.")
    disconnected_since = models.DateTimeField(
        null=True, blank=True, help_text="Every workspace connection gone since; offline after the grace period."
    )

    def __str__(self) -> str:
        return str(self.user)


class WorkspaceServer(models.Model):
    """A web server process holding workspace connections, and until when it vouches for them: each heartbeat
    pushes `alive_until` on; one killed stops, and the presence sweep discards its connections once it passes."""

    name = models.CharField(max_length=255, unique=True, help_text="Host, process id and a token of its own.")
    alive_until = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class WorkspaceConnection(models.Model):
    """One open workspace connection (a browser tab) of a user, on the server process that holds it."""

    connection_id = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    server = models.CharField(max_length=255, db_index=True, help_text="The WorkspaceServer's name.")
    opened_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user} on {self.server}"


class WorkItemState(models.TextChoices):
    QUEUED = "queued", "Queued"
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_WORK_ITEM_STATES = (WorkItemState.QUEUED, WorkItemState.OFFERED)


class WorkItem(models.Model):
    """An interaction waiting for a person: queued → offered → accepted, or back to queued, or cancelled."""

    interaction = models.ForeignKey("interactions.Interaction", on_delete=models.CASCADE, related_name="work_items")
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="work_items")
    state = models.CharField(max_length=16, choices=WorkItemState.choices, default=WorkItemState.QUEUED)
    priority = models.PositiveSmallIntegerField(help_text="The queue's, when queued: the order items are offered in.")
    queued_at = models.DateTimeField(default=timezone.now, help_text="Since when it waits; kept across re-queues.")
    waiting_since = models.DateTimeField(
        default=timezone.now,
        help_text="Since when the customer has waited for a person in this conversation; a transfer keeps it.",
    )
    summary = models.TextField(blank=True, help_text="The first message, or the virtual agent's summary.")
    handoff_topic = models.CharField(max_length=128, blank=True)
    offered_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    last_offered_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who had the last offer: the next goes to someone else when anyone else can take it.",
    )
    preferred_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Offered first when available (a transfer to an agent, a returning customer's previous agent).",
    )
    transfer_note = models.TextField(blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    last_waiting_message_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["interaction"],
                condition=Q(state__in=["queued", "offered"]),
                name="one_active_work_item_per_interaction",
            )
        ]
        indexes = [
            # The next item to offer: the highest priority, then the oldest.
            models.Index(
                fields=["priority", "queued_at", "id"], condition=Q(state="queued"), name="queued_work_items_in_order"
            ),
            models.Index(fields=["offer_expires_at"], condition=Q(state="offered"), name="offers_by_expiry"),
            # Recent waits per queue (services/waiting_time.py): the items accepted lately in a few queues.
            models.Index(
                fields=["queue", "accepted_at"], condition=Q(accepted_at__isnull=False), name="accepted_work_items"
            ),
            # Reports: the work items queued in a period.
            models.Index(fields=["queued_at"], name="work_items_by_queued_at"),
        ]

    def __str__(self) -> str:
        return f"work item {self.pk} ({self.state})"


class WorkItemEventKind(models.TextChoices):
    QUEUED = "queued", "Queued"
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    TIMED_OUT = "timed_out", "Offer timed out"
    OFFER_WITHDRAWN = "offer_withdrawn", "Offer withdrawn"
    TRANSFERRED = "transferred", "Transferred"
    REASSIGNED = "reassigned", "Reassigned"
    CANCELLED = "cancelled", "Cancelled"


class WorkItemEvent(models.Model):
    """The routing history: every change of a work item, with its time and actor. Append-only."""

    work_item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="events")
    interaction = models.ForeignKey("interactions.Interaction", on_delete=models.CASCADE, related_name="routing_events")
    kind = models.CharField(max_length=32, choices=WorkItemEventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who did it; empty when the system did.",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The agent it concerns (offered to, rejected by, transferred to).",
    )
    queue = models.ForeignKey(Queue, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.CharField(max_length=255, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["interaction", "at"], name="routing_history_by_interaction")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M:%S}"


class RejectReason(models.Model):
    """Why an agent declines an offer; admins keep the list."""

    text = models.CharField(max_length=128, unique=True)
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "text"]

    def __str__(self) -> str:
        return self.text


class ResolutionCode(models.Model):
    """How a conversation ended, as an agent's wrap-up records it; admins keep the list."""

    text = models.CharField(max_length=128, unique=True)
    is_active = models.BooleanField(
        default=True, help_text="Inactive codes stay on old wrap-ups; agents no longer see them."
    )
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "text"]

    def __str__(self) -> str:
        return self.text


class WrapUp(models.Model):
    """What the agent who closed a conversation records about it: once per interaction, due within the configured
    time after the closure (`routing_configuration().wrap_up_within`); a late one is still taken, and marked late."""

    interaction = models.OneToOneField("interactions.Interaction", on_delete=models.CASCADE, related_name="wrap_up")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    resolution_code = models.ForeignKey(ResolutionCode, on_delete=models.PROTECT, related_name="wrap_ups")
    notes = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)
    late = models.BooleanField(default=False, help_text="Given after it was due.")

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.resolution_code} ({self.interaction_id})"
