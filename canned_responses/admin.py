"""Admins keep the shared canned responses (no owner) and can see or remove an agent's own; the form checks the
placeholders (an unknown one is refused with the list of those that exist)."""

from django.contrib import admin

from canned_responses.models import CannedResponse
from canned_responses.placeholders import PLACEHOLDERS


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ["shortcut", "title", "owner_label", "language", "updated_at"]
    list_filter = [("owner", admin.EmptyFieldListFilter), "language"]
    search_fields = ["shortcut", "title", "body"]
    autocomplete_fields = ["owner"]
    fields = ["shortcut", "title", "body", "language", "owner"]

    @admin.display(description="Owner", ordering="owner__username")
    def owner_label(self, response: CannedResponse) -> str:
        return str(response.owner) if response.owner_id else "Shared"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        listed = "; ".join(f"{{{name}}}: {text}" for name, text in PLACEHOLDERS.items())
        form.base_fields["body"].help_text = f"Placeholders filled in for each conversation: {listed}."
        return form
