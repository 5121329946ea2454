"""The admin's "erase these customers' data": a confirmation page that says what goes and what stays (from the
registered steps, so it never drifts from what runs), a reason, then `erase_customer` for each. Used by the
customer list and the consent history; admins only."""

from django import forms
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from retention.policies import may_erase_customers
from retention.registry import erasure_steps
from retention.services import ErasureRefused, erase_customer

ACTION_DESCRIPTION = "Erase these customers' data (messages, media, profile, consent history)"
MOST_CUSTOMERS_AT_ONCE = 100  # an irreversible step an admin must be able to check, name by name


class ErasureForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="e.g. the customer's erasure request, its date and reference. Kept in the audit log.",
    )


def drop_erasure_action_unless_allowed(request: HttpRequest, actions: dict, name: str) -> dict:
    if not may_erase_customers(request.user):
        actions.pop(name, None)
    return actions


def confirm_and_erase(
    model_admin: ModelAdmin, request: HttpRequest, *, customers: list, action_name: str
) -> HttpResponse | None:
    if not may_erase_customers(request.user):
        model_admin.message_user(request, "Only admins may erase a customer's data.", messages.ERROR)
        return None
    if len(customers) > MOST_CUSTOMERS_AT_ONCE:
        model_admin.message_user(
            request,
            f"You selected {len(customers)} customers: erase at most {MOST_CUSTOMERS_AT_ONCE} at once, so that each "
            "can be checked on the confirmation page. Narrow the selection (e.g. with a search or a filter).",
            messages.ERROR,
        )
        return None
    form = ErasureForm(request.POST if "reason" in request.POST else None)
    if form.is_valid():
        try:
            erased = [
                erase_customer(channel_user=customer, erased_by=request.user, reason=form.cleaned_data["reason"])
                for customer in customers
            ]
        except ErasureRefused as refusal:
            model_admin.message_user(request, refusal.reason, messages.ERROR)
            return None
        model_admin.message_user(
            request,
            f"Erased the data of {len(erased)} customer(s): "
            + "; ".join(f"Customer #{erasure.channel_user_id}: {_counts(erasure.removed)}" for erasure in erased)
            + ". Recorded in the audit log.",
        )
        return None
    steps = erasure_steps()
    return TemplateResponse(
        request,
        "admin/retention/erase_confirmation.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": "Erase customers' data",
            "customers": sorted(customers, key=lambda customer: customer.pk),
            "removes": [line for step in steps for line in step.removes],
            "keeps": [line for step in steps for line in step.keeps],
            "form": form,
            "action_name": action_name,
            "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
            "opts": model_admin.model._meta,
        },
    )


def _counts(removed: dict[str, int]) -> str:
    return ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in removed.items() if count) or "nothing left"
