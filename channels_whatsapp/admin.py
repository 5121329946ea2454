"""The WhatsApp connection for admins. The access token and app secret are write-only: never listed, never shown
back, only said to be set or not. The verify token is shown on a number's own page to those who may configure it,
because the admin has to paste it into Meta's dashboard."""

import secrets

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from channels_whatsapp.client import is_graph_id
from channels_whatsapp.connection_check import ConnectionReport, check_connection, webhook_callback_url
from channels_whatsapp.inbox import MAX_PROCESSING_ATTEMPTS, UNREADABLE_PREFIX
from channels_whatsapp.models import BusinessNumber, GroupMessage, WebhookDelivery
from interactions.encrypted_fields import UnreadableSecret

SECRET_FIELDS = ("access_token", "app_secret", "verify_token")


def _graph_id(value: str) -> str:
    """Refused here as the client would refuse it in a Graph API URL, so the admin hears of it at once."""
    value = value.strip()
    if not is_graph_id(value):
        raise forms.ValidationError("Meta's ids are digits only, as shown in the WhatsApp Manager.")
    return value


UNREADABLE = "Cannot be read: the key it was encrypted with is no longer in FIELD_ENCRYPTION_KEYS. Type it again."


def unreadable_secrets(number: BusinessNumber) -> tuple[str, ...]:
    return getattr(number, "unreadable_secrets", ())


def with_readable_secrets(number: BusinessNumber) -> BusinessNumber:
    """Each secret read now; one no key decrypts is left blank and named in `unreadable_secrets`, so the page
    still opens and says which to enter again."""
    unreadable = []
    for name in SECRET_FIELDS:
        try:
            getattr(number, name)
        except UnreadableSecret:
            setattr(number, name, "")
            unreadable.append(name)
    number.unreadable_secrets = tuple(unreadable)
    return number


class BusinessNumberForm(forms.ModelForm):
    access_token = forms.CharField(widget=forms.PasswordInput(render_value=False), required=False)
    app_secret = forms.CharField(widget=forms.PasswordInput(render_value=False), required=False)
    verify_token = forms.CharField(widget=forms.PasswordInput(render_value=False), required=False)

    class Meta:
        model = BusinessNumber
        fields = [
            "display_phone_number",
            "phone_number_id",
            "waba_id",
            "messages_per_second",
            "is_active",
            *SECRET_FIELDS,
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in SECRET_FIELDS:
            if name not in self.fields:
                continue
            if name in unreadable_secrets(self.instance):
                self.fields[name].help_text = UNREADABLE
            elif self.instance.pk and getattr(self.instance, name):
                self.fields[name].help_text = "Set. Leave empty to keep it; type a new value to replace it."
            elif name == "verify_token":
                self.fields[name].help_text = "Not set. Leave empty to have one made up for you."
            else:
                self.fields[name].help_text = "Not set."

    def clean_phone_number_id(self) -> str:
        return _graph_id(self.cleaned_data["phone_number_id"])

    def clean_waba_id(self) -> str:
        return _graph_id(self.cleaned_data["waba_id"]) if self.cleaned_data["waba_id"] else ""

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in SECRET_FIELDS:
            if not cleaned.get(name):
                if name in unreadable_secrets(self.instance):
                    self.add_error(name, UNREADABLE)
                elif self.instance.pk and getattr(self.instance, name):
                    cleaned[name] = getattr(self.instance, name)  # left blank: keep the stored secret
                elif name == "verify_token":
                    cleaned[name] = secrets.token_urlsafe(24)  # any string will do; Meta only echoes it
                else:
                    self.add_error(name, "Required for a new business number.")
        return cleaned


@admin.register(BusinessNumber)
class BusinessNumberAdmin(admin.ModelAdmin):
    form = BusinessNumberForm
    change_form_template = "admin/channels_whatsapp/businessnumber/change_form.html"
    list_display = ["display_phone_number", "phone_number_id", "waba_id", "messages_per_second", "is_active"]
    search_fields = ["display_phone_number", "phone_number_id"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "display_phone_number",
                    "phone_number_id",
                    "waba_id",
                    "messages_per_second",
                    "is_active",
                ]
            },
        ),
        ("Secrets (leave blank to keep the stored value)", {"fields": list(SECRET_FIELDS)}),
    ]
    settings_fieldsets = [
        (
            None,
            {
                "fields": ["display_phone_number", "phone_number_id", "waba_id", "messages_per_second", "is_active"],
                "description": "This number comes from the WHATSAPP_* environment variables, which set it again "
                "whenever the app starts: change its details and secrets there.",
            },
        ),
    ]

    @staticmethod
    def _from_settings(number: BusinessNumber | None) -> bool:
        return number is not None and number.phone_number_id == settings.WHATSAPP_PHONE_NUMBER_ID

    def get_queryset(self, request):
        """Secrets are decrypted only where read: a number whose key was dropped still lists."""
        return super().get_queryset(request).defer(*SECRET_FIELDS)

    def get_object(self, request, object_id, from_field=None):
        number = super().get_object(request, object_id, from_field)
        return None if number is None else with_readable_secrets(number)

    def get_fieldsets(self, request, obj=None):
        return self.settings_fieldsets if self._from_settings(obj) else self.fieldsets

    def has_change_permission(self, request, obj=None) -> bool:
        """The environment's number is shown, never changed here (a deactivated one would refuse its webhooks)."""
        return super().has_change_permission(request, obj) and not self._from_settings(obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not self._from_settings(obj)

    @method_decorator(sensitive_post_parameters(*SECRET_FIELDS))  # kept out of error reports
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        number = self.get_object(request, object_id)
        if number is not None:
            if unreadable_secrets(number):
                labels = ", ".join(
                    BusinessNumber._meta.get_field(name).verbose_name for name in unreadable_secrets(number)
                )
                self.message_user(
                    request, f"These secrets cannot be read and must be entered again: {labels}.", messages.WARNING
                )
            extra_context = {**(extra_context or {}), **self._connection_context(request, number, report=None)}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        test = self.admin_site.admin_view(self.test_connection)
        return [
            path("<int:pk>/test-connection/", test, name="channels_whatsapp_businessnumber_test_connection"),
            *super().get_urls(),
        ]

    def test_connection(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The "Test connection" button: asks Meta about the number with its own token, shows what it found or what
        is wrong."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            return HttpResponse(status=403)
        number = get_object_or_404(BusinessNumber, pk=pk)
        report = check_connection(number=number)
        number = with_readable_secrets(number)  # the panel says which secret must be entered again
        return TemplateResponse(
            request,
            "admin/channels_whatsapp/businessnumber/connection_test.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Connection of {number}",
                "opts": self.model._meta,
                "original": number,
                **self._connection_context(request, number, report=report),
            },
        )

    def _connection_context(self, request: HttpRequest, number: BusinessNumber, *, report: ConnectionReport | None):
        """What the "Connect to Meta" panel shows; the verify token only to those who may configure numbers."""
        may_configure = self.has_change_permission(request)
        return {
            "callback_url": webhook_callback_url(),
            "verify_token": number.verify_token if may_configure else None,
            "secrets_set": {
                "Access token": bool(number.access_token),
                "App secret": bool(number.app_secret),
                "Verify token": bool(number.verify_token),
            },
            "may_test": may_configure,
            "report": report,
        }


class AttentionFilter(admin.SimpleListFilter):
    """The deliveries an admin must look at: nothing a customer wrote may disappear without someone seeing it."""

    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [
            ("unreadable", "Unreadable (kept, not applied)"),
            ("refused", "With refused events"),
            ("failing", "Failing (being retried)"),
            ("abandoned", "Abandoned (retries used up)"),
        ]

    def queryset(self, request, queryset):
        unprocessed = queryset.filter(processed_at__isnull=True)
        match self.value():
            case "unreadable":
                return queryset.filter(summary__startswith=UNREADABLE_PREFIX)
            case "refused":
                return queryset.exclude(refusals="")
            case "failing":
                return unprocessed.exclude(last_error="").filter(attempts__lt=MAX_PROCESSING_ATTEMPTS)
            case "abandoned":
                return unprocessed.filter(attempts__gte=MAX_PROCESSING_ATTEMPTS)
        return queryset


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["pk", "received_at", "processed_at", "attempts", "summary", "has_refusals"]
    list_filter = [AttentionFilter, "processed_at"]
    readonly_fields = [
        "received_at",
        "processed_at",
        "attempts",
        "signed_for",
        "summary",
        "refusals",
        "last_error",
        "payload",
    ]
    exclude = ["body"]

    @admin.display(description="Refused events", boolean=True)
    def has_refusals(self, delivery: WebhookDelivery) -> bool:
        return bool(delivery.refusals)

    @admin.display(description="Body (raw; bytes that are not UTF-8 or are NUL shown as \\x..)")
    def payload(self, delivery: WebhookDelivery) -> str:
        return bytes(delivery.body).decode("utf-8", "backslashreplace").replace("\x00", "\\x00")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(GroupMessage)
class GroupMessageAdmin(admin.ModelAdmin):
    """Unsupported group messages: kept so nothing a customer wrote is lost, read-only, never answered."""

    list_display = ["sent_at", "group_id", "sender", "sender_name", "type", "text"]
    list_filter = ["type"]
    search_fields = ["group_id", "sender", "sender_name", "text"]
    readonly_fields = [field.name for field in GroupMessage._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
