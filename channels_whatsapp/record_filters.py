"""The business number filter on the list of interaction records in the admin, and its name on each record: the core
knows a conversation's account (the phone number id its customer wrote to), this channel knows the number people
recognise."""

from django.contrib import admin
from django.db.models import QuerySet

from channels_whatsapp.models import BusinessNumber
from interactions.admin_panels import register_interaction_filter, register_labeller


class BusinessNumberFilter(admin.SimpleListFilter):
    title = "business number"
    parameter_name = "business_number"

    def lookups(self, request, model_admin):
        return [(number.phone_number_id, str(number)) for number in BusinessNumber.objects.order_by("pk")]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        return queryset.filter(channel_user__account_id=self.value()) if self.value() else queryset


def business_number_label(kind: str, value: str) -> str | None:
    if kind != "account":
        return None
    number = BusinessNumber.objects.filter(phone_number_id=value).first()
    return str(number) if number is not None else None


def filter_interaction_records_by_business_number() -> None:
    register_interaction_filter(BusinessNumberFilter)
    register_labeller(business_number_label)
