"""API tokens in the admin: make one for a user (shown once, on the page after saving), list, revoke. Never edited
or deleted: a revoked token stays, so the audit log and "last used" still say what it was."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from interactions.roles import may_edit_user
from security.api_tokens import (
    NO_ROLE,
    NOT_A_PEER,
    create_api_token,
    default_expiry,
    possible_token_owners,
    refusal_of_expiry,
    revoke_api_token,
)
from security.models import ApiToken


class NewApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name", "expires_at"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expires_at"].initial = default_expiry()

    def clean_expires_at(self):
        refusal = refusal_of_expiry(self.cleaned_data["expires_at"])
        if refusal:
            raise forms.ValidationError(refusal)
        return self.cleaned_data["expires_at"]


class TokenStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True, expires_at__gt=now)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    records_its_own_audit_entries = True  # security/api_tokens.py does, once (audit/admin_hook.py)
    form = NewApiTokenForm
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = [TokenStatusFilter, "expires_at"]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Only people the signed-in admin may make a token for (security/api_tokens.py: refusal_of_owner)."""
        if db_field.name == "user":
            kwargs["queryset"] = possible_token_owners(request.user)
            kwargs["error_messages"] = {"invalid_choice": f"{NO_ROLE} {NOT_A_PEER}"}
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        issued = create_api_token(
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            expires_at=form.cleaned_data["expires_at"],
            created_by=request.user,
        )
        obj.pk, request.issued_api_token = issued.token.pk, issued

    def response_add(self, request, obj, post_url_continue=None):
        """The token itself, this once (the admin's pages are never cached), in no message, session or log."""
        issued = request.issued_api_token
        return TemplateResponse(
            request,
            "security/api_token_shown.html",
            {
                **self.admin_site.each_context(request),
                "title": "API token",
                "issued": issued,
                "back_url": reverse("admin:security_apitoken_changelist"),
            },
        )

    @admin.action(description="Revoke (stops working at once)", permissions=["change"])
    def revoke(self, request, queryset) -> None:
        for token in queryset:
            revoke_api_token(token=token, revoked_by=request.user)
        self.message_user(request, f"Revoked: {queryset.count()}.", messages.SUCCESS)


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(admin.ModelAdmin):
    """Who has two-factor sign-in on, and removing a lost phone's device (its owner enrols again). Unlike
    django-otp's own admin, never the key or its QR code: whoever read it could make that person's codes."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        """Removing a device turns its owner's second factor off: only for people this admin may edit."""
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_edit_user(request.user, obj.user))
