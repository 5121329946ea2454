"""Cases in the admin. Saving a new state goes through the service, so the customer is notified."""

from django.contrib import admin

from customer_service.models import Case
from customer_service.services import change_case_state, open_case


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "state", "channel_user", "updated_at"]
    list_filter = ["state"]
    search_fields = ["number", "title", "channel_user__display_name", "channel_user__external_id"]
    list_select_related = ["channel_user"]
    fields = ["number", "title", "channel_user", "state", "created_at", "updated_at"]
    readonly_fields = ["number", "created_at", "updated_at"]
    autocomplete_fields = ["channel_user"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "channel_user"] if obj else self.readonly_fields

    def save_model(self, request, obj: Case, form, change: bool) -> None:
        if not change:
            created = open_case(channel_user=obj.channel_user, title=obj.title, state=obj.state)
            obj.pk, obj.number, obj.created_at = created.pk, created.number, created.created_at
            return
        wanted_state = obj.state
        obj.state = form.initial["state"]
        obj.save(update_fields=["title", "updated_at"])
        change_case_state(case=obj, state=wanted_state)
