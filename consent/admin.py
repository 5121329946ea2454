"""Consent in the admin: the history is read-only for everyone; keywords are edited by admins; erasure is an
explicit action that asks for its reason and leaves an audit entry."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from consent.models import ConsentErasure, ConsentKeyword, ConsentRecord, KeywordLanguage
from consent.services import erase_consent_history


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # only the erasure action removes records, and it leaves an audit entry


class ErasureForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="e.g. the customer's erasure request, its date and reference.",
    )


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

    @admin.action(description="Erase the consent history of these customers (data erasure)")
    def erase_history(self, request: HttpRequest, queryset) -> HttpResponse | None:
        if not request.user.has_perm("consent.delete_consentrecord"):
            self.message_user(request, "Only admins may erase consent history.", messages.ERROR)
            return None
        customers = {record.channel_user for record in queryset.select_related("channel_user")}
        form = ErasureForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            for channel_user in customers:
                erase_consent_history(
                    channel_user=channel_user, erased_by=request.user, reason=form.cleaned_data["reason"]
                )
            self.message_user(request, f"Erased the consent history of {len(customers)} customer(s); audited.")
            return None
        return TemplateResponse(
            request,
            "admin/consent/erase_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": "Erase consent history",
                "customers": sorted(customers, key=str),
                "records": queryset.count(),
                "form": form,
                "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
                "opts": self.model._meta,
            },
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("consent.delete_consentrecord"):
            actions.pop("erase_history", None)
        return actions


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
