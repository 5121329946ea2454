"""The queue filter on the list of interaction records in the admin, and a queue's name on each record, by name (the
core records only a queue's key and never imports routing)."""

from django.contrib import admin
from django.db.models import QuerySet

from interactions.admin_panels import register_interaction_filter, register_labeller
from routing.models import Queue


class QueueFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return list(Queue.objects.order_by("name").values_list("key", "name"))

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        return queryset.filter(queue=self.value()) if self.value() else queryset


def queue_label(kind: str, value: str) -> str | None:
    return Queue.objects.filter(key=value).values_list("name", flat=True).first() if kind == "queue" else None


def filter_interaction_records_by_queue() -> None:
    register_interaction_filter(QueueFilter)
    register_labeller(queue_label)
