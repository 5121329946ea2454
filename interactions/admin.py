"""Interaction records for managers: read-only, with the whole transcript."""

from django.contrib import admin, messages
from django.shortcuts import redirect

from interactions.models import ChannelUser, DeliveryAttempt, Interaction, Message, MessageTemplate, Notification


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TranscriptInline(admin.TabularInline):
    model = Message
    fields = [
        "sequence",
        "sent_at",
        "direction",
        "author",
        "kind",
        "text",
        "status",
        "error_code",
        "error_title",
    ]
    readonly_fields = fields
    ordering = ["sequence"]
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "Transcript"

    def get_queryset(self, request):
        """One query for the whole transcript, not one a row (a row shows its author and names its interaction)."""
        return super().get_queryset(request).select_related("author", "interaction")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Interaction)
class InteractionAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "type",
        "subtype",
        "state",
        "channel_user",
        "assigned_to",
        "opened_at",
        "closed_at",
    ]
    list_filter = ["state", "type", "subtype", "assigned_to"]
    search_fields = ["number", "channel_user__external_id", "channel_user__display_name"]
    list_select_related = ["channel_user", "assigned_to"]
    date_hierarchy = "opened_at"
    fields = [
        ("number", "state"),
        ("type", "subtype"),
        "channel_user",
        ("assigned_to", "queue"),
        ("opened_at", "closed_at", "last_message_at"),
    ]
    inlines = [TranscriptInline]


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ["number", "started_at", "finished_at", "outcome", "error_code", "error_title"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["interaction", "sequence", "direction", "kind", "status", "sent_at", "error_code"]
    list_filter = ["direction", "status", "kind"]
    search_fields = ["external_id", "interaction__number", "text"]
    list_select_related = ["interaction"]
    inlines = [DeliveryAttemptInline]


@admin.register(ChannelUser)
class ChannelUserAdmin(ReadOnlyAdmin):
    list_display = [
        "display_name",
        "external_id",
        "channel",
        "account_id",
        "last_inbound_at",
        "unreachable_since",
        "created_at",
    ]
    search_fields = ["display_name", "external_id"]
    list_filter = ["channel"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """What workflows and outside systems asked to send; refusals carry the policy's reason."""

    list_display = ["created_at", "outcome", "channel_user", "recipient", "reason", "refusal_reason"]
    list_filter = ["outcome"]
    search_fields = ["reason", "recipient", "refusal_reason", "idempotency_key"]
    list_select_related = ["channel_user"]
    date_hierarchy = "created_at"


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ReadOnlyAdmin):
    list_display = ["name", "language", "category", "status", "account_id", "synced_at"]
    list_filter = ["status", "category", "language"]
    search_fields = ["name", "body"]
    actions = ["sync_now"]

    @admin.action(description="Sync all templates from the channel now")
    def sync_now(self, request, queryset) -> None:
        from interactions.channel_adapters import ChannelRequestFailed
        from interactions.services.templates import sync_message_templates

        try:
            count = sync_message_templates()
        except ChannelRequestFailed as problem:
            self.message_user(request, str(problem), messages.ERROR)
            return
        self.message_user(request, f"Synced {count} template(s).")

    def changelist_view(self, request, extra_context=None):
        # The sync action needs no selection: it fetches every template, even when none are stored yet.
        if request.POST.get("action") == "sync_now" and not request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME):
            self.sync_now(request, self.get_queryset(request))
            return redirect(request.get_full_path())
        return super().changelist_view(request, extra_context)
