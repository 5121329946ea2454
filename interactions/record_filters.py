"""The core's filters on the list of interaction records (the admin): the agent, and the days a conversation was
opened between. Other apps add theirs through `interactions.admin_panels.register_interaction_filter`."""

import datetime

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from interactions.people import person_name
from interactions.roles import AGENT


class AgentFilter(admin.SimpleListFilter):
    """The agents (the role's members) by name, plus "Nobody" (the virtual agent's, never routed). Read from the
    role, not from the interactions: listing who ever held one would scan them all on every page."""

    title = "agent"
    parameter_name = "agent"
    NOBODY = "none"

    def lookups(self, request, model_admin):
        people = get_user_model().objects.filter(groups__name=AGENT).order_by("first_name", "username")
        return [(str(person.pk), person_name(person)) for person in people] + [(self.NOBODY, "Nobody")]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() == self.NOBODY:
            return queryset.filter(assigned_to__isnull=True)
        if self.value() and self.value().isdigit():
            return queryset.filter(assigned_to_id=int(self.value()))
        return queryset


def _day(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


class OpenedBetweenFilter(admin.ListFilter):
    """Conversations opened from one day to another, both included, in the desk's time zone. A day that is not a
    date (2026-02-30) is said so above the form and leaves that end open, never an error page."""

    title = "date opened"
    template = "admin/interactions/interaction/opened_between_filter.html"
    FROM, TO = "opened_from", "opened_to"

    def __init__(self, request, params, model, model_admin) -> None:
        super().__init__(request, params, model, model_admin)
        for name in (self.FROM, self.TO):
            if name in params:
                self.used_parameters[name] = params.pop(name)[-1]
        self.start = _day(self.used_parameters.get(self.FROM))
        self.end = _day(self.used_parameters.get(self.TO))
        self.problems = [
            f"“{self.used_parameters[name]}” is not a date (YYYY-MM-DD); that end is left open."
            for name, day in ((self.FROM, self.start), (self.TO, self.end))
            if self.used_parameters.get(name) and day is None
        ]

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str]:
        return [self.FROM, self.TO]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        zone = timezone.get_current_timezone()
        if self.start is not None:
            queryset = queryset.filter(opened_at__gte=datetime.datetime.combine(self.start, datetime.time(), zone))
        if self.end is not None:
            next_day = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time(), zone)
            queryset = queryset.filter(opened_at__lt=next_day)
        return queryset

    def choices(self, changelist):
        """One "choice": the form, carrying the list's other filters and search along as hidden fields."""
        kept = [
            (name, value)
            for name, values in changelist.filter_params.items()
            if name not in (self.FROM, self.TO)
            for value in values
        ]
        yield {
            "from": self.used_parameters.get(self.FROM, ""),
            "to": self.used_parameters.get(self.TO, ""),
            "kept": kept,
            "clear_url": changelist.get_query_string(remove=[self.FROM, self.TO]),
            "problems": self.problems,
            "active": bool(self.start or self.end),
        }
