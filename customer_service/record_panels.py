"""What customer service adds to the interaction records in the admin: the cases linked to the conversation, and a
filter by the customer's account (through the contact their number is linked to)."""

from django.contrib import admin
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from customer_service.models import Account, Case, ContactLink
from interactions.admin_panels import register_interaction_filter, register_interaction_panel
from interactions.models import Interaction


def linked_cases_panel(interaction: Interaction) -> SafeString:
    cases = Case.objects.filter(interaction_links__interaction=interaction).select_related("category")
    return render_to_string("admin/customer_service/linked_cases.html", {"cases": cases})


class AccountFilter(admin.SimpleListFilter):
    title = "account"
    parameter_name = "account"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in Account.objects.order_by("name").values_list("pk", "name")]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if not (self.value() or "").isdigit():
            return queryset
        customers = ContactLink.objects.filter(contact__account_id=int(self.value())).values("channel_user_id")
        return queryset.filter(channel_user_id__in=customers)


def show_customer_service_on_interaction_records() -> None:
    register_interaction_panel(linked_cases_panel)
    register_interaction_filter(AccountFilter)
