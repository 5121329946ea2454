"""Routing's configuration for admins: queues with their hours and holidays, the ordered routing rules (with a
page to try them on a made-up customer), skills, agents' capacity and skills, and the reasons agents give when they
decline an offer. Every form says what is wrong before anything is saved."""

import json
import re

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from interactions.live import audience_changed_on_commit
from interactions.roles import AGENT
from routing.audience import serving_user_ids
from routing.business_hours import schedule_problems, time_zone_problem
from routing.models import (
    AgentProfile,
    Holiday,
    Queue,
    RejectReason,
    ResolutionCode,
    RoutingRule,
    Skill,
    WorkItemState,
    WrapUp,
)
from routing.policies.rules import RoutingFacts, matching_rule, rule_problems
from routing.services.queueing import POSITION_PLACEHOLDER, active_routing_rules, queue_is_open

PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _agents():
    return get_user_model().objects.filter(groups__name=AGENT, is_active=True).order_by("username")


class QueueForm(forms.ModelForm):
    class Meta:
        model = Queue
        fields = [
            "name", "key", "description", "priority", "is_default", "agents", "groups", "required_skills",
            "agents_see_each_others_conversations", "time_zone", "business_hours", "out_of_hours_message",
            "waiting_message", "waiting_message_interval_minutes", "auto_accept", "offer_timeout_seconds",
            "prefer_previous_agent", "transfer_message",
        ]  # fmt: skip

    def clean_time_zone(self) -> str:
        name = self.cleaned_data["time_zone"].strip()
        problem = time_zone_problem(name)
        if problem:
            raise forms.ValidationError(problem)
        return name

    def clean_business_hours(self) -> dict:
        schedule = self.cleaned_data["business_hours"] or {}
        problems = schedule_problems(schedule)
        if problems:
            raise forms.ValidationError(problems)
        return schedule

    def clean_waiting_message(self) -> str:
        text = self.cleaned_data["waiting_message"]
        unknown = sorted({found for found in PLACEHOLDER.findall(text) if found != POSITION_PLACEHOLDER})
        if unknown:
            raise forms.ValidationError(
                f"Only {POSITION_PLACEHOLDER} (the customer's place in the queue) is filled in; "
                f"remove {', '.join(unknown)}."
            )
        return text

    def clean_waiting_message_interval_minutes(self) -> int | None:
        minutes = self.cleaned_data["waiting_message_interval_minutes"]
        if minutes is not None and minutes < 1:
            raise forms.ValidationError("At least one minute: customers must not be told their place on every sweep.")
        return minutes

    def clean_is_default(self) -> bool:
        """Exactly one default queue: marking this one unmarks the other (on save); it cannot simply be unmarked."""
        is_default = self.cleaned_data["is_default"]
        others = Queue.objects.exclude(pk=self.instance.pk)
        if not is_default and not others.filter(is_default=True).exists():
            if self.instance.pk is not None and self.instance.is_default:
                raise forms.ValidationError("There must be a default queue: mark another queue as the default instead.")
            raise forms.ValidationError("There is no default queue yet: make this one the default.")
        return is_default

    def _get_validation_exclusions(self) -> set[str]:
        """The one-default-queue constraint is kept by saving (the former default is unmarked in the same
        transaction), so the form must not refuse a second default before that."""
        return {*super()._get_validation_exclusions(), "is_default"}


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0
    fields = ["date", "name"]


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    form = QueueForm
    inlines = [HolidayInline]
    list_display = ["name", "key", "priority", "is_default", "time_zone", "open_now", "waiting"]
    search_fields = ["name", "key"]
    prepopulated_fields = {"key": ["name"]}
    filter_horizontal = ["agents", "groups", "required_skills"]
    fieldsets = [
        (None, {"fields": ["name", "key", "description", "priority", "is_default"]}),
        ("Who serves it", {"fields": ["agents", "groups", "required_skills", "agents_see_each_others_conversations"]}),
        ("Business hours", {"fields": ["time_zone", "business_hours", "out_of_hours_message"]}),
        ("Waiting", {"fields": ["waiting_message", "waiting_message_interval_minutes"]}),
        ("Offers and transfers", {"fields": ["auto_accept", "offer_timeout_seconds", "prefer_previous_agent",
                                             "transfer_message"]}),
    ]  # fmt: skip

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("holidays")

    @admin.display(boolean=True, description="Open now")
    def open_now(self, queue: Queue) -> bool:
        return queue_is_open(queue, at=timezone.now())

    @admin.display(description="Waiting")
    def waiting(self, queue: Queue) -> int:
        return queue.work_items.filter(state=WorkItemState.QUEUED).count()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "agents":
            kwargs["queryset"] = _agents()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Queue, form, change: bool) -> None:
        with transaction.atomic():
            if obj.is_default:
                Queue.objects.exclude(pk=obj.pk).filter(is_default=True).update(is_default=False)
            super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """Who serves the queue, or whether its agents see each other's conversations, may have changed: everyone
        who served it before or serves it now hears `audience.changed`, so their sockets join or leave its group and
        their workspaces read their lists again."""
        served_before = serving_user_ids(form.instance) if change else set()  # its agents are saved only below
        super().save_related(request, form, formsets, change)
        audience_changed_on_commit(user_ids=served_before | serving_user_ids(form.instance))

    def delete_model(self, request: HttpRequest, obj: Queue) -> None:
        served = serving_user_ids(obj)
        super().delete_model(request, obj)
        audience_changed_on_commit(user_ids=served)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        served = set().union(*(serving_user_ids(queue) for queue in queryset))
        super().delete_queryset(request, queryset)
        audience_changed_on_commit(user_ids=served)

    def has_delete_permission(self, request: HttpRequest, obj: Queue | None = None) -> bool:
        """The default queue goes only after another is made the default (or as the last one)."""
        if obj is not None and obj.is_default and Queue.objects.exclude(pk=obj.pk).exists():
            return False
        return super().has_delete_permission(request, obj)


class RoutingRuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = ["order", "name", "is_active", "condition", "attribute", "value", "queue"]

    def clean(self) -> dict:
        data = super().clean()
        if "condition" in data:
            problems = rule_problems(
                condition=data["condition"], value=data.get("value") or "", attribute=data.get("attribute") or ""
            )
            for field, reasons in problems.items():
                for reason in reasons:
                    self.add_error(field, reason)
        return data


class TryRulesForm(forms.Form):
    """A made-up customer's first message, to see which rule (and queue) it would meet."""

    account_id = forms.CharField(required=False, label="Business number written to (account id)")
    language = forms.CharField(required=False, label="Customer's language", help_text="e.g. de or pt-BR")
    first_message = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    handoff_topic = forms.CharField(required=False, label="Virtual agent's handoff topic")
    attributes = forms.CharField(
        required=False, label="Customer attributes (JSON)", initial="{}", help_text='e.g. {"vip": true}'
    )

    def clean_attributes(self) -> dict:
        text = self.cleaned_data["attributes"].strip() or "{}"
        try:
            attributes = json.loads(text)
        except ValueError as problem:
            raise forms.ValidationError(f"Not JSON: {problem}.") from problem
        if not isinstance(attributes, dict):
            raise forms.ValidationError('Write an object, e.g. {"vip": true}.')
        return attributes


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    form = RoutingRuleForm
    list_display = ["order", "name", "condition", "attribute", "value", "queue", "is_active"]
    list_display_links = ["name"]
    list_editable = ["order", "is_active"]
    list_filter = ["condition", "queue", "is_active"]
    list_select_related = ["queue"]
    ordering = ["order", "pk"]
    change_list_template = "admin/routing/routingrule/change_list.html"

    def get_urls(self):
        try_rules = self.admin_site.admin_view(self.try_rules)
        return [path("try/", try_rules, name="routing_routingrule_try"), *super().get_urls()]

    def try_rules(self, request: HttpRequest) -> HttpResponse:
        """Which active rule a customer would meet, in order; the default queue when none does."""
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        form = TryRulesForm(request.GET if request.GET else None)
        outcome = None
        if form.is_valid():
            facts = RoutingFacts(**form.cleaned_data)
            rule = matching_rule(rules=active_routing_rules(), facts=facts)
            default = Queue.objects.filter(is_default=True).first()
            queue = Queue.objects.filter(key=rule.queue_key).first() if rule is not None else default
            outcome = {"rule": rule, "queue": queue}
        return TemplateResponse(
            request,
            "admin/routing/routingrule/try_rules.html",
            {
                **self.admin_site.each_context(request),
                "title": "Try the routing rules",
                "form": form,
                "outcome": outcome,
                "opts": self.model._meta,
            },
        )


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "capacity", "presence", "presence_changed_at"]
    list_filter = ["presence", "skills"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user"]
    fields = ["user", "capacity", "skills", "presence", "away_reason", "presence_changed_at", "last_offer_at"]
    readonly_fields = ["presence", "away_reason", "presence_changed_at", "last_offer_at"]
    filter_horizontal = ["skills"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = _agents()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: AgentProfile | None = None):
        """Presence is the agent's own (set from the workspace); the user a profile belongs to never changes."""
        return [*self.readonly_fields, "user"] if obj is not None else self.readonly_fields


@admin.register(RejectReason)
class RejectReasonAdmin(admin.ModelAdmin):
    list_display = ["text", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["text"]


@admin.register(ResolutionCode)
class ResolutionCodeAdmin(admin.ModelAdmin):
    list_display = ["text", "is_active", "order"]
    list_editable = ["is_active", "order"]
    search_fields = ["text"]

    def has_delete_permission(self, request, obj=None) -> bool:
        """A code in use stays (reports read it): deactivate it instead."""
        if obj is not None and obj.wrap_ups.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(WrapUp)
class WrapUpAdmin(admin.ModelAdmin):
    list_display = ["interaction", "resolution_code", "agent", "at", "late"]
    list_filter = ["resolution_code", "late", "agent"]
    list_select_related = ["interaction", "resolution_code", "agent"]
    search_fields = ["interaction__number", "notes"]
    readonly_fields = ["interaction", "agent", "resolution_code", "notes", "at", "late"]

    def has_add_permission(self, request) -> bool:
        return False  # agents wrap up in the workspace, through the service's rules

    def has_change_permission(self, request, obj=None) -> bool:
        return False
