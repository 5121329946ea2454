"""The audit log in the admin: read and filtered by admins, changed by no one (superusers included)."""

import json

from django.contrib import admin
from django.utils.html import format_html

from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Viewing needs `audit.view_auditentry`, which the admin role holds and managers do not (interactions/roles.py)."""

    list_display = ["recorded_at", "action", "username", "content_type", "object_label", "address"]
    list_filter = ["action", "content_type", ("user", admin.RelatedOnlyFieldListFilter), "recorded_at"]
    search_fields = ["username", "object_label", "object_id", "address", "user_agent"]
    date_hierarchy = "recorded_at"
    list_select_related = ["content_type"]
    fields = [
        "recorded_at",
        "action",
        "username",
        "address",
        "user_agent",
        "content_type",
        "object_id",
        "object_label",
        "changes_shown",
    ]
    readonly_fields = fields
    show_full_result_count = False  # the log grows without end: no second COUNT(*) over all of it

    @admin.display(description="Changes")
    def changes_shown(self, entry: AuditEntry) -> str:
        return format_html("<pre>{}</pre>", json.dumps(entry.changes, indent=2, ensure_ascii=False, sort_keys=True))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
