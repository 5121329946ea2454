"""The "System properties" admin page: every declared property by group, with its description, default and current
value; one property's page edits it (or puts its default back). Thin: the service checks, stores and audits."""

from dataclasses import dataclass
from itertools import groupby

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from properties.accessor import current, stored_value
from properties.models import StoredProperty
from properties.registry import SAMPLE_MOMENT, Kind, Property, UnknownProperty, registered_properties
from properties.registry import registered_property as declared_property
from properties.services import change_property, reset_property
from properties.validation import InvalidPropertyValue, as_text, clean_value


@dataclass(frozen=True)
class PropertyRow:
    declared: Property
    current: str
    default: str
    is_default: bool
    limits: str
    example: str  # a date format applied to a sample moment
    ignored: str  # a stored value the declaration no longer allows, and why
    row: StoredProperty | None


def _limits(declared: Property) -> str:
    """ "from 1 to 5120 KB (WhatsApp accepts images of up to 5 MB)": what the check will let through."""
    unit = f" {declared.unit}" if declared.unit else ""
    low, high = declared.minimum, declared.maximum
    if low is None and high is None:
        return ""
    if low is not None and high is not None:
        limits = f"from {low} to {high}{unit}"
    else:
        limits = f"at least {low}{unit}" if low is not None else f"at most {high}{unit}"
    return limits + (f" ({declared.maximum_reason})" if high is not None and declared.maximum_reason else "")


def _row(declared: Property, rows: dict[str, StoredProperty]) -> PropertyRow:
    value = current(declared)
    is_stored, raw = stored_value(declared.key)
    ignored = ""
    if is_stored:
        try:
            clean_value(declared, raw)
        except InvalidPropertyValue as problem:
            ignored = f"The stored value {raw!r} is no longer allowed ({problem}); the default is in use."
    return PropertyRow(
        declared=declared,
        current=as_text(declared, value),
        default=as_text(declared, declared.default),
        is_default=value == declared.default,
        limits=_limits(declared),
        example=SAMPLE_MOMENT.strftime(value) if declared.kind is Kind.DATE_FORMAT else "",
        ignored=ignored,
        row=rows.get(declared.key),
    )


class PropertyForm(forms.Form):
    """One field shaped by the declaration; the service's own check gives the error, so there is one rule."""

    def __init__(self, *args, declared: Property, **kwargs):
        super().__init__(*args, **kwargs)
        self.declared = declared
        if declared.kind is Kind.BOOLEAN:
            field = forms.ChoiceField(choices=[("on", "On"), ("off", "Off")], widget=forms.RadioSelect)
        elif declared.kind is Kind.CHOICE:
            field = forms.ChoiceField(choices=declared.choices)
        elif declared.kind is Kind.TEXT and declared.max_length > 200:
            field = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=not declared.blank, strip=False)
        else:
            field = forms.CharField(required=not declared.blank and declared.kind is not Kind.TEXT, strip=False)
        field.label = declared.label + (f" ({declared.unit})" if declared.unit else "")
        field.help_text = declared.description
        self.fields["value"] = field

    def clean_value(self):
        try:
            return clean_value(self.declared, self.cleaned_data["value"])
        except InvalidPropertyValue as problem:
            raise forms.ValidationError(str(problem)) from None


def _initial(declared: Property, value) -> str:
    return ("on" if value else "off") if declared.kind is Kind.BOOLEAN else str(value)


@admin.register(StoredProperty)
class StoredPropertyAdmin(admin.ModelAdmin):
    """Not a table of rows: the list is the registry, and a row exists only for a property changed from its
    default."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        edit = self.admin_site.admin_view(self.edit_view)
        return [
            path("", self.admin_site.admin_view(self.changelist_view), name="properties_storedproperty_changelist"),
            path("<str:key>/edit/", edit, name="properties_storedproperty_edit"),
        ]

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        rows = {row.key: row for row in StoredProperty.objects.select_related("changed_by")}
        groups = [
            (group, [_row(declared, rows) for declared in members])
            for group, members in groupby(
                sorted(registered_properties(), key=lambda declared: declared.group), key=lambda d: d.group
            )
        ]
        return TemplateResponse(
            request,
            "admin/properties/properties.html",
            {
                **self.admin_site.each_context(request),
                "title": "System properties",
                "opts": self.model._meta,
                "groups": groups,
                "may_change": self.has_change_permission(request),
            },
        )

    def edit_view(self, request: HttpRequest, key: str) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        try:
            declared = declared_property(key)
        except UnknownProperty:
            raise Http404(f"No system property is called {key!r}.") from None
        list_url = reverse("admin:properties_storedproperty_changelist")
        if request.method == "POST" and "reset" in request.POST:
            reset_property(key=key, user=request.user)
            self.message_user(request, f"{declared.label} is back to its default.", messages.SUCCESS)
            return HttpResponseRedirect(list_url)
        form = PropertyForm(
            request.POST or None, declared=declared, initial={"value": _initial(declared, current(declared))}
        )
        if request.method == "POST" and form.is_valid():
            value = change_property(key=key, value=form.cleaned_data["value"], user=request.user)
            self.message_user(request, f"{declared.label} is now {as_text(declared, value)}.", messages.SUCCESS)
            return HttpResponseRedirect(list_url)
        return TemplateResponse(
            request,
            "admin/properties/edit.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Change {declared.label}",
                "opts": self.model._meta,
                "form": form,
                "row": _row(declared, {}),
                "list_url": list_url,
            },
        )
