"""Admins subscribe URLs to events and read the delivery log; the secret is shown once, when made."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from audit.models import AuditAction
from audit.services import record_audit_entry
from integrations.models import Delivery, EventType, Subscription
from integrations.services import refusal_of_url, retry_now, rotate_secret, send_test_event

RECENT_DELIVERIES = 20
SUBSCRIBABLE = [(value, label) for value, label in EventType.choices if value != EventType.TEST]


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https", help_text=Subscription._meta.get_field("url").help_text)
    events = forms.MultipleChoiceField(choices=SUBSCRIBABLE, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Subscription
        fields = ["url", "description", "events", "active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        reason = refusal_of_url(url)
        if reason:
            raise forms.ValidationError(f"This address cannot receive webhooks: {reason}.")
        return url


def _show_secrets(request, subscriptions: list[Subscription]) -> TemplateResponse:
    return TemplateResponse(
        request,
        "integrations/secret_shown.html",
        {
            **admin.site.each_context(request),
            "title": "Signing secret",
            "subscriptions": subscriptions,
            "back_url": reverse("admin:integrations_subscription_changelist"),
        },
    )


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["url", "description", "event_list", "active", "disabled_reason"]
    list_filter = ["active"]
    search_fields = ["url", "description"]
    readonly_fields = ["disabled_reason", "created_at", "recent_deliveries"]
    actions = ["send_test_event", "rotate_secret"]

    def get_queryset(self, request):
        """The secret is decrypted only where read: a subscription whose key was dropped still lists."""
        return super().get_queryset(request).defer("secret")

    @admin.display(description="Events")
    def event_list(self, subscription: Subscription) -> str:
        return ", ".join(subscription.events)

    @admin.display(description="Delivery log")
    def recent_deliveries(self, subscription: Subscription) -> str:
        if subscription.pk is None:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (d.created_at, d.event_type, d.get_state_display(), d.attempts, d.last_status_code or "", d.last_error)
                for d in subscription.deliveries.order_by("-pk")[:RECENT_DELIVERIES]
            ),
        )
        everything = reverse("admin:integrations_delivery_changelist") + f"?subscription__id__exact={subscription.pk}"
        return format_html(
            "<table><tr><th>Created</th><th>Event</th><th>State</th><th>Attempts</th><th>Status</th><th>Error</th>"
            '</tr>{}</table><p><a href="{}">All deliveries of this subscription</a></p>',
            rows,
            everything,
        )

    def response_add(self, request, obj, post_url_continue=None):
        return _show_secrets(request, [obj])

    @admin.action(description="Send test event", permissions=["change"])
    def send_test_event(self, request, queryset) -> None:
        for subscription in queryset:
            send_test_event(subscription)
            record_audit_entry(
                action=AuditAction.ADMIN_ACTION, target=subscription, details={"action": "send test event"}
            )
        self.message_user(request, f"Test event queued for {queryset.count()} subscription(s).", messages.SUCCESS)

    @admin.action(description="Rotate secret (the old one stops working at once)", permissions=["change"])
    def rotate_secret(self, request, queryset):
        subscriptions = list(queryset)
        for subscription in subscriptions:
            rotate_secret(subscription)
            record_audit_entry(action=AuditAction.CONFIG_CHANGED, target=subscription, changes={"secret": (None, None)})
        return _show_secrets(request, subscriptions)


class SubscriptionFilter(admin.RelatedFieldListFilter):
    """The subscriptions to filter by, without their secrets: a dropped key must not break the delivery log."""

    def field_choices(self, field, request, model_admin):
        return [(subscription.pk, str(subscription)) for subscription in Subscription.objects.defer("secret")]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event_type", "subscription", "state", "attempts", "last_status_code", "last_error"]
    list_filter = ["state", "event_type", ("subscription", SubscriptionFilter)]
    search_fields = ["event_id"]
    list_select_related = ["subscription"]
    actions = ["retry_now"]
    readonly_fields = [field.name for field in Delivery._meta.fields]

    def get_queryset(self, request):
        """The subscription's secret is never shown here, so never decrypted (a dropped key breaks no list)."""
        return super().get_queryset(request).defer("subscription__secret")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Retry now", permissions=["change"])
    def retry_now(self, request, queryset) -> None:
        delivery_ids = list(queryset.values_list("pk", flat=True))
        count = retry_now(delivery_ids=delivery_ids)
        record_audit_entry(
            action=AuditAction.ADMIN_ACTION, details={"action": "retry deliveries now", "deliveries": delivery_ids}
        )
        self.message_user(request, f"Queued again: {count}.", messages.SUCCESS)
