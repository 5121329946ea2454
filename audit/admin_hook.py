"""Every model admin records its adds, changes and deletions: the audit app wraps each registered ModelAdmin at
start-up, so no admin page (this app's or another's, present or future) can forget to."""

from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from audit.models import AuditAction, AuditEntry
from audit.services import record_audit_entry, record_form_changes

# Recorded by the role listeners (audit/listeners.py) whichever way they change, so not twice from the admin.
_ROLE_FIELDS = {
    "groups",
    "user_permissions",
    "is_staff",
    "is_superuser",
    "is_active",
    "password",
    "permissions",
}


def _recorded_elsewhere(model) -> set[str]:
    return _ROLE_FIELDS if model in (get_user_model(), Group) else set()


class AuditedAdminMixin:
    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        record_form_changes(
            action=AuditAction.CONFIG_CHANGED if change else AuditAction.CONFIG_ADDED,
            form=form,
            target=obj,
            skip=_recorded_elsewhere(type(obj)),
            request=request,
        )

    def save_formset(self, request, form, formset, change) -> None:
        """Inline rows (a language's keywords): each one added, changed or deleted is an entry of its own."""
        deleted = [(row.instance, row.instance.pk, str(row.instance)) for row in formset.deleted_forms]
        super().save_formset(request, form, formset, change)
        for row in formset.forms:
            if row in formset.deleted_forms or not row.has_changed() or row.instance.pk is None:
                continue
            adding = row.instance in formset.new_objects
            record_form_changes(
                action=AuditAction.CONFIG_ADDED if adding else AuditAction.CONFIG_CHANGED,
                form=row,
                target=row.instance,
                request=request,
            )
        for instance, pk, label in deleted:
            if pk is not None:
                instance.pk = pk  # Django clears it on delete; the entry names what was deleted
                record_audit_entry(
                    action=AuditAction.CONFIG_DELETED, target=instance, target_label=label, request=request
                )
                instance.pk = None

    def delete_model(self, request, obj) -> None:
        record_audit_entry(action=AuditAction.CONFIG_DELETED, target=obj, request=request)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            record_audit_entry(action=AuditAction.CONFIG_DELETED, target=obj, request=request)
        super().delete_queryset(request, queryset)


def audit_every_model_admin(site: admin.AdminSite = admin.site) -> None:
    """Runs in AuditConfig.ready(), after the admin's autodiscovery has registered every app's admin classes."""
    for model in apps.get_models():
        if model is AuditEntry or not site.is_registered(model):
            continue
        model_admin = type(site.get_model_admin(model))
        # An admin whose services write its entries (security/admin.py) would otherwise record each change twice.
        if issubclass(model_admin, AuditedAdminMixin) or getattr(model_admin, "records_its_own_audit_entries", False):
            continue
        site.unregister(model)
        site.register(
            model, type(model_admin.__name__, (AuditedAdminMixin, model_admin), {"__module__": model_admin.__module__})
        )
