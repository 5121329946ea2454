"""The WhatsApp connection for admins. Secrets are write-only: never listed, never shown back."""

from django import forms
from django.conf import settings
from django.contrib import admin

from channels_whatsapp.client import is_graph_id
from channels_whatsapp.inbox import MAX_PROCESSING_ATTEMPTS, UNREADABLE_PREFIX
from channels_whatsapp.models import BusinessNumber, GroupMessage, WebhookDelivery

SECRET_FIELDS = ("access_token", "app_secret", "verify_token")


def _graph_id(value: str) -> str:
    """Refused here as the client would refuse it in a Graph API URL, so the admin hears of it at once."""
    value = value.strip()
    if not is_graph_id(value):
        raise forms.ValidationError("Meta's ids are digits only, as shown in the WhatsApp Manager.")
    return value


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

    def clean_phone_number_id(self) -> str:
        return _graph_id(self.cleaned_data["phone_number_id"])

    def clean_waba_id(self) -> str:
        return _graph_id(self.cleaned_data["waba_id"]) if self.cleaned_data["waba_id"] else ""

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in SECRET_FIELDS:
            if not cleaned.get(name):
                if self.instance.pk:
                    cleaned[name] = getattr(self.instance, name)  # left blank: keep the stored secret
                else:
                    self.add_error(name, "Required for a new business number.")
        return cleaned


@admin.register(BusinessNumber)
class BusinessNumberAdmin(admin.ModelAdmin):
    form = BusinessNumberForm
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

    def get_fieldsets(self, request, obj=None):
        return self.settings_fieldsets if self._from_settings(obj) else self.fieldsets

    def has_change_permission(self, request, obj=None) -> bool:
        """The environment's number is shown, never changed here (a deactivated one would refuse its webhooks)."""
        return super().has_change_permission(request, obj) and not self._from_settings(obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not self._from_settings(obj)


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
