"""Consent in the admin: the history is read-only for everyone; keywords are edited by admins; a customer's
erasure (all their data, consent history included) is an explicit action that asks for its reason and leaves an
audit entry."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from consent.models import ConsentErasure, ConsentKeyword, ConsentRecord, KeywordLanguage
from retention.admin_actions import ACTION_DESCRIPTION, confirm_and_erase, drop_erasure_action_unless_allowed


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # only the erasure action removes records, and it leaves an audit entry


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnly):
    list_display = ["recorded_at", "channel_user", "scope", "status", "method", "recorded_by", "message_text"]
    list_filter = ["status", "scope", "method"]
    search_fields = ["channel_user__display_name", "channel_user__external_id", "note", "message_text"]
    list_select_related = ["channel_user", "recorded_by"]
    date_hierarchy = "recorded_at"
    fields = [
        "channel_user",
        ("scope", "status"),
        ("method", "language"),
        ("recorded_at", "recorded_by"),
        "note",
        "message",
        "message_text",
    ]
    actions = ["erase_history"]

    @admin.action(description=ACTION_DESCRIPTION)
    def erase_history(self, request: HttpRequest, queryset) -> HttpResponse | None:
        customers = list({record.channel_user for record in queryset.select_related("channel_user")})
        return confirm_and_erase(self, request, customers=customers, action_name="erase_history")

    def get_actions(self, request):
        return drop_erasure_action_unless_allowed(request, super().get_actions(request), "erase_history")


@admin.register(ConsentErasure)
class ConsentErasureAdmin(ReadOnly):
    list_display = ["erased_at", "channel_user", "records_erased", "erased_by", "reason"]
    list_select_related = ["channel_user", "erased_by"]


class ConsentKeywordInline(admin.TabularInline):
    model = ConsentKeyword
    extra = 1


@admin.register(KeywordLanguage)
class KeywordLanguageAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "keywords_summary"]
    inlines = [ConsentKeywordInline]

    @admin.display(description="Keywords")
    def keywords_summary(self, language: KeywordLanguage) -> str:
        return ", ".join(keyword.word for keyword in language.keywords.all())
