"""Customer service in the admin. Cases open and change state through their services, so the number is
allocated, the history recorded and the customer notified; phone numbers are stored as channels spell them."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone

from customer_service.errors import InputRefused
from customer_service.models import (
    Account,
    Case,
    CaseAttachment,
    CaseCategory,
    CaseComment,
    CaseInteraction,
    CaseStateChange,
    CatalogCategory,
    CatalogItem,
    CatalogQuestion,
    CatalogRequest,
    CatalogRequestAnswer,
    CommunityAnswer,
    CommunityQuestion,
    Contact,
    ContactLink,
    ContactPhone,
    KnowledgeArticle,
    KnowledgeCategory,
    NotificationRule,
    NotificationText,
)
from customer_service.services.cases import change_case_state, open_case
from customer_service.services.catalog import change_request_state
from customer_service.services.contacts import normalized_phone_number
from customer_service.services.notifications import (
    PLACEHOLDERS,
    parameter_names,
    parameter_problems,
    template_problems,
    text_problems,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class CaseStateChangeInline(ReadOnlyInline):
    model = CaseStateChange
    fields = readonly_fields = ["changed_at", "from_state", "to_state", "changed_by"]
    verbose_name_plural = "history"


class CaseCommentInline(ReadOnlyInline):
    model = CaseComment
    fields = readonly_fields = ["created_at", "author", "internal", "text"]


class CaseInteractionInline(ReadOnlyInline):
    model = CaseInteraction
    fields = readonly_fields = ["interaction", "linked_by", "linked_at"]
    verbose_name_plural = "conversations"


class CaseAttachmentInline(ReadOnlyInline):
    model = CaseAttachment
    fields = readonly_fields = ["message_attachment", "comment", "added_at"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["number", "short_description", "state", "priority", "contact", "channel_user", "updated_at"]
    list_filter = ["state", "priority", "category"]
    search_fields = [
        "number",
        "short_description",
        "channel_user__display_name",
        "channel_user__external_id",
        "contact__first_name",
        "contact__last_name",
        "account__name",
    ]
    list_select_related = ["channel_user", "contact"]
    fields = [
        "number",
        "short_description",
        "description",
        "category",
        "priority",
        "state",
        "channel_user",
        "contact",
        "account",
        "opened_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = ["number", "opened_by", "created_at", "updated_at"]
    autocomplete_fields = ["channel_user", "contact", "account"]
    inlines = [CaseStateChangeInline, CaseCommentInline, CaseInteractionInline, CaseAttachmentInline]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "channel_user"] if obj else self.readonly_fields

    def save_model(self, request, obj: Case, form, change: bool) -> None:
        if not change:
            created = open_case(
                short_description=obj.short_description,
                description=obj.description,
                channel_user=obj.channel_user,
                contact=obj.contact,
                account=obj.account,
                category=obj.category,
                priority=obj.priority,
                state=obj.state,
                opened_by=request.user,
            )
            obj.pk, obj.number, obj.created_at = created.pk, created.number, created.created_at
            return
        # Only what the admin changed: a full save would write back the state and its count of changes as read,
        # over a change made meanwhile (its notification key then reused). The state moves through its service.
        edited = [name for name in form.changed_data if name != "state"]
        if edited:
            obj.save(update_fields=[*edited, "updated_at"])
        if "state" in form.changed_data:
            change_case_state(obj, state=obj.state, by=request.user)


@admin.register(CaseCategory)
class CaseCategoryAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class ContactPhoneForm(forms.ModelForm):
    class Meta:
        model = ContactPhone
        fields = ["number", "label"]

    def clean_number(self) -> str:
        try:
            return normalized_phone_number(self.cleaned_data["number"])
        except InputRefused as refusal:
            raise ValidationError(refusal.problems) from refusal


class ContactPhoneInline(admin.TabularInline):
    model = ContactPhone
    form = ContactPhoneForm
    extra = 1


class ContactInline(admin.TabularInline):
    model = Contact
    fields = ["first_name", "last_name", "email", "job_title"]
    show_change_link = True
    extra = 0


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["full_name", "account", "email", "phone_numbers"]
    list_select_related = ["account"]
    search_fields = ["first_name", "last_name", "email", "phones__number", "account__name"]
    autocomplete_fields = ["account"]
    inlines = [ContactPhoneInline]

    @admin.display(description="Phones")
    def phone_numbers(self, contact: Contact) -> str:
        return ", ".join(str(phone) for phone in contact.phones.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("phones")


@admin.register(ContactLink)
class ContactLinkAdmin(admin.ModelAdmin):
    list_display = ["channel_user", "contact", "linked_by", "linked_at"]
    list_select_related = ["channel_user", "contact", "linked_by"]
    autocomplete_fields = ["channel_user", "contact"]
    readonly_fields = ["linked_by", "linked_at"]

    def save_model(self, request, obj: ContactLink, form, change: bool) -> None:
        obj.linked_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(KnowledgeCategory)
class KnowledgeCategoryAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "status", "views", "helpful_votes", "unhelpful_votes", "updated_at"]
    list_filter = ["status", "category"]
    search_fields = ["title", "keywords", "body"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["views", "helpful_votes", "unhelpful_votes", "created_at", "updated_at"]
    list_select_related = ["category"]
    view_on_site = True


class CommunityAnswerInline(admin.StackedInline):
    model = CommunityAnswer
    fields = ["body", "answered_by", "votes", "is_accepted"]
    extra = 0


@admin.register(CommunityQuestion)
class CommunityQuestionAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "votes", "is_published", "created_at"]
    list_filter = ["is_published", "category"]
    search_fields = ["title", "body", "answers__body"]
    inlines = [CommunityAnswerInline]


class CatalogQuestionInline(admin.StackedInline):
    model = CatalogQuestion
    fields = [
        ("position", "label", "kind", "required"),
        "choices",
        ("min_value", "max_value", "max_length"),
        ("min_days_ahead", "max_days_ahead"),
    ]
    extra = 0


class CatalogItemInline(admin.TabularInline):
    model = CatalogItem
    fields = ["position", "name", "description", "is_active"]
    show_change_link = True
    extra = 0


@admin.register(CatalogCategory)
class CatalogCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]
    inlines = [CatalogItemInline]


@admin.register(CatalogItem)
class CatalogItemAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "is_active", "position"]
    list_filter = ["category", "is_active"]
    search_fields = ["name", "description"]
    inlines = [CatalogQuestionInline]


class CatalogRequestAnswerInline(ReadOnlyInline):
    model = CatalogRequestAnswer
    fields = readonly_fields = ["label", "value"]


@admin.register(CatalogRequest)
class CatalogRequestAdmin(admin.ModelAdmin):
    """Requests are made by customers (or agents for them) through the service; here they are worked."""

    list_display = ["number", "item", "state", "contact", "channel_user", "created_at"]
    list_filter = ["state", "item__category"]
    search_fields = ["number", "item__name", "channel_user__display_name", "contact__last_name"]
    list_select_related = ["item", "contact", "channel_user"]
    fields = ["number", "item", "state", "channel_user", "contact", "interaction", "requested_by", "created_at"]
    readonly_fields = ["number", "item", "channel_user", "contact", "interaction", "requested_by", "created_at"]
    inlines = [CatalogRequestAnswerInline]

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj: CatalogRequest, form, change: bool) -> None:
        # The state (the one field edited here) moves through its service, which tells the customer if the rule says so.
        if "state" in form.changed_data:
            change_request_state(obj, state=obj.state)


class NotificationRuleForm(forms.ModelForm):
    class Meta:
        model = NotificationRule
        fields = ["enabled", "template_name", "template_language", "template_parameters"]

    def clean(self) -> dict:
        cleaned = super().clean()
        event = self.instance.event
        parameters = cleaned.get("template_parameters", "")
        problems = parameter_problems(event, parameters)
        if problems:
            self.add_error("template_parameters", problems)
        elif cleaned.get("enabled"):
            problems = template_problems(
                name=cleaned.get("template_name", ""),
                language=cleaned.get("template_language", ""),
                parameters=parameter_names(parameters),
            )
            if problems:
                self.add_error("template_name", problems)
        return cleaned


class NotificationTextFormSet(forms.BaseInlineFormSet):
    """The texts are checked together, against the rule as edited on the same page (on or off, its template)."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        rows = [row.cleaned_data for row in self.forms if row.cleaned_data and not row.cleaned_data.get("DELETE")]
        rule = self.instance
        problems = text_problems(
            event=rule.event,
            enabled=rule.enabled,
            texts=[(row["language"], row.get("text", "")) for row in rows],
        )
        if rule.enabled and rule.template_name:
            for language in sorted({row["template_language"] for row in rows if row.get("template_language")}):
                problems += template_problems(
                    name=rule.template_name,
                    language=language,
                    parameters=parameter_names(rule.template_parameters),
                )
        if problems:
            raise ValidationError(problems)


class NotificationTextForm(forms.ModelForm):
    class Meta:
        model = NotificationText
        fields = ["language", "text", "template_language"]
        widgets = {
            "language": forms.TextInput(attrs={"size": 4}),
            "text": forms.Textarea(attrs={"rows": 3, "cols": 60}),
            "template_language": forms.TextInput(attrs={"size": 8}),
        }

    def clean_language(self) -> str:
        return self.cleaned_data["language"].strip().casefold()


class NotificationTextInline(admin.TabularInline):
    model = NotificationText
    form = NotificationTextForm
    formset = NotificationTextFormSet
    extra = 1
    verbose_name = "text"
    verbose_name_plural = "texts inside the 24-hour window, per customer language (en is the fallback)"


@admin.register(NotificationRule)
class NotificationRuleAdmin(admin.ModelAdmin):
    """One rule per event, seeded by a migration: edited here, never added or deleted. Every save is audited."""

    form = NotificationRuleForm
    list_display = ["__str__", "enabled", "template_name", "template_language", "updated_at"]
    fields = ["event", "placeholders", "enabled", "template_name", "template_language", "template_parameters"]
    readonly_fields = ["event", "placeholders"]
    inlines = [NotificationTextInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="placeholders")
    def placeholders(self, obj: NotificationRule) -> str:
        return "; ".join(f"{{{name}}}: {meaning}" for name, meaning in PLACEHOLDERS[obj.event].items())

    def save_model(self, request, obj: NotificationRule, form, change: bool) -> None:
        if obj.enabled and "enabled" in form.changed_data:
            obj.enabled_at = timezone.now()
        super().save_model(request, obj, form, change)
