"""Interaction records for managers: read-only, each a transcript to read and download. Users for admins, within
their roles."""

import re

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.text import Truncator

from audit.models import AuditAction
from audit.services import record_audit_entry
from consent.selectors import consent_history
from interactions.admin_panels import interaction_filters, interaction_panels, label
from interactions.channel_adapters import channel_capabilities
from interactions.live import audience_changed_on_commit
from interactions.models import (
    ChannelUser,
    DeliveryAttempt,
    Interaction,
    ListenerRun,
    Message,
    MessageTemplate,
    Notification,
)
from interactions.people import person_name
from interactions.record_filters import AgentFilter, OpenedBetweenFilter
from interactions.records.exports import last_message_text, records_csv, transcript_document
from interactions.records.transcript import transcript
from interactions.roles import grantable_groups, grantable_permissions, may_edit_user, may_supervise
from interactions.services.listeners import run_listeners_again
from retention.admin_actions import ACTION_DESCRIPTION, confirm_and_erase, drop_erasure_action_unless_allowed


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _customer_search_term(term: str) -> str:
    """A phone number searched as people write it (+44 7700 900-123) matches the digits the channel stores."""
    digits = re.sub(r"[\s().+-]", "", term)
    return digits if digits.isdigit() and len(digits) >= 4 else term


@admin.register(Interaction)
class InteractionAdmin(ReadOnlyAdmin):
    """Every conversation, for managers to review (agents never open the admin): a list that filters and searches
    by what a manager knows (a customer's name or number, a day, an agent), each record a transcript to read and
    download. Read-only: nothing here changes a conversation, and no button says otherwise."""

    list_display = ["customer", "state_pill", "queue", "agent", "last_message", "opened", "closed"]
    list_display_links = ["customer"]
    search_fields = ["number", "channel_user__display_name", "channel_user__external_id"]
    search_help_text = "A customer's name or phone number, or an interaction number (IMS…)."
    list_select_related = ["channel_user", "assigned_to"]
    list_per_page = 50
    show_full_result_count = False  # one count, of the filtered rows, not a second of the whole table
    show_facets = admin.ShowFacets.NEVER  # facet counts cost a query per choice
    fields = ["number"]  # the record page shows the transcript, not a form (change_form.html)

    def get_list_filter(self, request):
        return ["state", AgentFilter, *interaction_filters(), OpenedBetweenFilter]

    def has_view_permission(self, request, obj=None) -> bool:
        """Managers and admins; an agent works in the workspace, even one who was given staff status."""
        return super().has_view_permission(request, obj) and _supervises(request)

    def has_module_permission(self, request) -> bool:
        return super().has_module_permission(request) and _supervises(request)

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, _customer_search_term(search_term))

    @admin.display(description="Customer", ordering="channel_user__display_name")
    def customer(self, interaction: Interaction) -> str:
        person = interaction.channel_user
        return format_html(
            '<span class="record-customer"><strong>{}</strong><small>+{} · {}</small></span>',
            person.display_name or "Unnamed customer",
            person.external_id,
            interaction.number or f"#{interaction.pk}",
        )

    @admin.display(description="State", ordering="state")
    def state_pill(self, interaction: Interaction) -> str:
        return format_html(
            '<span class="state-pill state-{}">{}</span>', interaction.state, interaction.get_state_display()
        )

    @admin.display(description="Agent", ordering="assigned_to__first_name")
    def agent(self, interaction: Interaction) -> str:
        return person_name(interaction.assigned_to) or "—"

    @admin.display(description="Last message", ordering="last_message_at")
    def last_message(self, interaction: Interaction) -> str:
        return format_html(
            '<span class="record-last-message">{}</span>', Truncator(last_message_text(interaction)).chars(80)
        )

    @admin.display(description="Opened", ordering="opened_at")
    def opened(self, interaction: Interaction) -> str:
        return _moment(interaction.opened_at)

    @admin.display(description="Closed", ordering="closed_at")
    def closed(self, interaction: Interaction) -> str:
        return _moment(interaction.closed_at) if interaction.closed_at else "Open"

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "Interaction records", **(extra_context or {})})

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("export.csv", view(self.export_csv), name="interactions_interaction_export_csv"),
            path(
                "<int:pk>/transcript.html",
                view(self.export_transcript),
                name="interactions_interaction_export_transcript",
            ),
            *super().get_urls(),
        ]

    def export_csv(self, request: HttpRequest) -> StreamingHttpResponse:
        """The list as filtered on the page, every row (not only the page's), streamed."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        records = self.get_changelist_instance(request).get_queryset(request)
        record_audit_entry(
            action=AuditAction.EXPORT,
            target_label="Interaction records (CSV)",
            details=_export_filters(request),
            request=request,
        )
        response = StreamingHttpResponse(records_csv(records), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="interactions-{timezone.localdate():%Y-%m-%d}.csv"'
        return response

    def export_transcript(self, request: HttpRequest, pk: int) -> HttpResponse:
        interaction = self.get_object(request, str(pk))
        if interaction is None or not self.has_view_permission(request, interaction):
            raise Http404("No such interaction record.")
        with_notes = _with_notes(request)
        document = transcript_document(interaction, with_notes=with_notes, exported_by=person_name(request.user) or "")
        record_audit_entry(
            action=AuditAction.EXPORT,
            target=interaction,
            target_label=f"Transcript of {interaction} (HTML)",
            details={"internal_notes": with_notes},
            request=request,
        )
        response = HttpResponse(document, content_type="text/html; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="transcript-{interaction.number or pk}.html"'
        return response

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("channel_user", "assigned_to", "closed_by")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """The record: the transcript, the customer's consent, then the sections other apps registered (routing
        history, linked cases); see templates/admin/interactions/interaction/change_form.html."""
        if obj is not None:
            with_notes = _with_notes(request)
            context.update(
                record=obj,
                agent=person_name(obj.assigned_to),
                queue=label("queue", obj.queue),
                business_number=label("account", obj.channel_user.account_id),
                channel=_channel_label(obj.subtype),
                closed_by=person_name(obj.closed_by),
                with_notes=with_notes,
                entries=[(entry, "") for entry in transcript(obj, with_notes=with_notes)],
                consent_events=consent_history(channel_user_id=obj.channel_user_id),
                panels=interaction_panels(obj),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


def _supervises(request: HttpRequest) -> bool:
    """The admin asks for its permissions several times a page: the role is read once."""
    if not hasattr(request, "_may_supervise"):
        request._may_supervise = may_supervise(request.user)
    return request._may_supervise


def _export_filters(request: HttpRequest) -> dict:
    """The filters an export ran with, for the audit log; what was searched for stays out (a customer's name or
    number: the log outlives an erasure), only that there was a search."""
    filters = {name: request.GET.getlist(name) for name in sorted(request.GET) if name != SEARCH_VAR}
    return {"filters": filters, "searched": bool(request.GET.get(SEARCH_VAR))}


def _moment(moment) -> str:
    """As the record page and the transcript write times."""
    return date_format(timezone.localtime(moment), "j M Y, H:i")


def _channel_label(channel: str) -> str:
    try:
        return channel_capabilities(channel).label
    except LookupError:  # a channel no longer installed
        return channel


def _with_notes(request: HttpRequest) -> bool:
    """`?notes=hide` leaves colleagues' internal notes and whispers out: the conversation as the customer had it."""
    return request.GET.get("notes") != "hide"


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ["number", "started_at", "finished_at", "outcome", "error_code", "error_title"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["interaction", "sequence", "direction", "kind", "status", "sent_at", "error_code"]
    list_filter = ["direction", "status", "kind"]
    search_fields = ["external_id", "interaction__number", "text"]
    list_select_related = ["interaction"]
    inlines = [DeliveryAttemptInline]


@admin.register(ChannelUser)
class ChannelUserAdmin(ReadOnlyAdmin):
    list_display = [
        "display_name",
        "external_id",
        "channel",
        "account_id",
        "last_inbound_at",
        "unreachable_since",
        "created_at",
    ]
    search_fields = ["display_name", "external_id"]
    list_filter = ["channel"]
    actions = ["erase_customers"]

    @admin.action(description=ACTION_DESCRIPTION)
    def erase_customers(self, request, queryset):
        return confirm_and_erase(self, request, customers=list(queryset), action_name="erase_customers")

    def get_actions(self, request):
        return drop_erasure_action_unless_allowed(request, super().get_actions(request), "erase_customers")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """What workflows and outside systems asked to send; refusals carry the policy's reason."""

    list_display = ["created_at", "outcome", "channel_user", "recipient", "reason", "refusal_reason"]
    list_filter = ["outcome"]
    search_fields = ["reason", "recipient", "refusal_reason", "idempotency_key"]
    list_select_related = ["channel_user"]
    date_hierarchy = "created_at"


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ReadOnlyAdmin):
    list_display = ["name", "language", "category", "status", "account_id", "synced_at"]
    list_filter = ["status", "category", "language"]
    search_fields = ["name", "body"]
    actions = ["sync_now"]

    @admin.action(description="Sync all templates from the channel now")
    def sync_now(self, request, queryset) -> None:
        from interactions.channel_adapters import ChannelRequestFailed
        from interactions.services.templates import sync_message_templates

        try:
            count = sync_message_templates()
        except ChannelRequestFailed as problem:
            self.message_user(request, str(problem), messages.ERROR)
            return
        self.message_user(request, f"Synced {count} template(s).")

    def changelist_view(self, request, extra_context=None):
        # The sync action needs no selection: it fetches every template, even when none are stored yet.
        if request.POST.get("action") == "sync_now" and not request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME):
            self.sync_now(request, self.get_queryset(request))
            return redirect(request.get_full_path())
        return super().changelist_view(request, extra_context)


class RoleLimitedUserChangeForm(UserChangeForm):
    """Offers, and accepts, only the groups and permissions the acting user may grant; the others a user already
    has are kept as they are, so an admin can neither hand out nor take away what it does not hold."""

    actor = None  # the acting user, set per request by RoleLimitedUserAdmin.get_form

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._grantable = {
            "groups": grantable_groups(self.actor),
            "user_permissions": grantable_permissions(self.actor),
        }
        for name, grantable in self._grantable.items():
            if name in self.fields:  # what the user holds stays listed, so that posting it back is no refusal
                self.fields[name].queryset = (grantable | getattr(self.instance, name).all()).distinct()

    def _clean_grants(self, name: str) -> list:
        grantable = self._grantable[name]
        kept = getattr(self.instance, name).exclude(pk__in=grantable)
        return [*self.cleaned_data[name].filter(pk__in=grantable), *kept]

    def clean_groups(self) -> list:
        return self._clean_grants("groups")

    def clean_user_permissions(self) -> list:
        return self._clean_grants("user_permissions")


_ROLE_FLAGS = ("is_active", "is_staff", "is_superuser")
_ROLE_GRANTS = ("groups", "user_permissions")
# What a user may see follows from these: their role, and the queues they serve through their groups (routing).
_AUDIENCE_FIELDS = ("groups", "is_active", "is_superuser")


def _described_role_changes(form: UserChangeForm) -> list[str]:
    """What a change did to a user's roles, value by value, for the admin's history (LogEntry)."""
    described = []
    for name in _ROLE_FLAGS:
        before, after = form.initial.get(name), form.cleaned_data.get(name)
        if name in form.fields and before != after:
            described.append(f"{form.fields[name].label}: {'yes' if before else 'no'} → {'yes' if after else 'no'}")
    for name in _ROLE_GRANTS:
        if name not in form.fields:
            continue
        before = {str(item) for item in form.initial.get(name) or []}
        after = {str(item) for item in form.cleaned_data.get(name) or []}
        changes = [f"+{item}" for item in sorted(after - before)] + [f"-{item}" for item in sorted(before - after)]
        if changes:
            described.append(f"{form.fields[name].label}: {', '.join(changes)}")
    return described


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class RoleLimitedUserAdmin(UserAdmin):
    """Django's user admin, limited to what the acting user may grant (interactions.roles), every change logged."""

    form = RoleLimitedUserChangeForm

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None:
            return form  # the add form: a username and a password, no roles
        return type(form.__name__, (form,), {"actor": request.user})

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return readonly if request.user.is_superuser else [*readonly, "is_superuser"]

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or may_edit_user(request.user, obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or may_edit_user(request.user, obj))

    def user_change_password(self, request, id, form_url=""):
        user = self.get_object(request, unquote(id))
        if user is not None and not may_edit_user(request.user, user):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_related(self, request, form, formsets, change) -> None:
        """A change to what the user may see tells their open workspaces (`audience.changed`): their sockets work
        out their groups again and their lists are read again, showing what they may see now and nothing else."""
        super().save_related(request, form, formsets, change)
        if change and any(name in form.changed_data for name in _AUDIENCE_FIELDS):
            audience_changed_on_commit(user_ids=[form.instance.pk])

    def construct_change_message(self, request, form, formsets, add=False):
        """Django names the changed fields; for roles the history says what they were and what they became."""
        message = super().construct_change_message(request, form, formsets, add)
        if add or not isinstance(form, UserChangeForm):
            return message  # a new user, or a password change ("Changed password.")
        role_labels = {str(form.fields[name].label) for name in (*_ROLE_FLAGS, *_ROLE_GRANTS) if name in form.fields}
        named = message[0]["changed"]["fields"] if message else []  # a user has no inlines: one entry at most
        changed = [label for label in named if label not in role_labels]
        fields = [*changed, *_described_role_changes(form)]
        return [{"changed": {"fields": fields}}] if fields else []


admin.site.unregister(Group)


@admin.register(Group)
class MembersToldGroupAdmin(GroupAdmin):
    """Django's group admin; deleting a group takes its role, and the queues served through it, from its members,
    so their open workspaces are told (`audience.changed`), as when their own groups change."""

    def delete_model(self, request, obj: Group) -> None:
        members = set(obj.user_set.values_list("pk", flat=True))
        super().delete_model(request, obj)
        audience_changed_on_commit(user_ids=members)

    def delete_queryset(self, request, queryset) -> None:
        members = set(User.objects.filter(groups__in=queryset).values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        audience_changed_on_commit(user_ids=members)


@admin.register(ListenerRun)
class ListenerRunAdmin(ReadOnlyAdmin):
    """Each inbound listener's run per customer message: attempts, state and the last error, for the ones that fail."""

    list_display = ["created_at", "listener", "message", "state", "attempts", "next_attempt_at", "short_error"]
    list_filter = ["state", "listener"]
    search_fields = ["listener", "message__external_id", "last_error"]
    readonly_fields = ["last_error"]
    date_hierarchy = "created_at"
    actions = ["run_again"]

    @admin.display(description="Last error")
    def short_error(self, run: ListenerRun) -> str:
        return run.last_error.strip().splitlines()[-1][:120] if run.last_error.strip() else ""

    @admin.action(description="Run the given-up runs again")
    def run_again(self, request, queryset) -> None:
        count = run_listeners_again(run_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} run(s) enqueued again; runs not given up were left alone.")
