"""Interaction records for managers: read-only, with the whole transcript."""

from django.contrib import admin

from interactions.models import ChannelUser, DeliveryAttempt, Interaction, Message


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
    list_display = ["display_name", "external_id", "channel", "account_id", "last_inbound_at", "created_at"]
    search_fields = ["display_name", "external_id"]
    list_filter = ["channel"]
