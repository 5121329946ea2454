"""How customer service data reads in the API (and in the workspace's side panel)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customer_service.models import (
    Account,
    Case,
    CaseComment,
    CasePriority,
    CaseState,
    CatalogCategory,
    CatalogItem,
    CatalogQuestion,
    CatalogRequest,
    Contact,
)
from customer_service.services.search import AnswerHit, answer_message_text
from interactions.api.query import MAX_BIGINT
from interactions.people import person_name


class AccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = ["id", "name"]


class ContactSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="full_name")
    account = AccountSerializer(allow_null=True)
    phones = serializers.SerializerMethodField()

    class Meta:
        model = Contact
        fields = ["id", "name", "first_name", "last_name", "email", "job_title", "account", "phones"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField(), help_text="E.164, e.g. +4915112345678"))
    def get_phones(self, contact: Contact) -> list[str]:
        return [f"+{phone.number}" for phone in contact.phones.all()]


class CaseSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display")
    priority_label = serializers.CharField(source="get_priority_display")
    category = serializers.StringRelatedField(allow_null=True)
    interaction_ids = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "short_description",
            "description",
            "state",
            "state_label",
            "priority",
            "priority_label",
            "category",
            "interaction_ids",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_interaction_ids(self, case: Case) -> list[int]:
        """The conversations linked to the case."""
        return [link.interaction_id for link in case.interaction_links.all()]


class CatalogRequestSerializer(serializers.ModelSerializer):
    item = serializers.StringRelatedField()
    state_label = serializers.CharField(source="get_state_display")
    answers = serializers.SerializerMethodField()

    class Meta:
        model = CatalogRequest
        fields = ["id", "number", "item", "state", "state_label", "answers", "created_at"]

    @extend_schema_field(
        serializers.ListField(child=serializers.DictField(child=serializers.CharField()), help_text="label, value")
    )
    def get_answers(self, request: CatalogRequest) -> list[dict[str, str]]:
        return [{"label": answer.label, "value": answer.value} for answer in request.answers.all()]


class CustomerProfileSerializer(serializers.Serializer):
    channel_user_id = serializers.IntegerField(source="channel_user.pk")
    display_name = serializers.CharField(source="channel_user.display_name")
    address = serializers.CharField(source="channel_user.address")
    contact = ContactSerializer(source="recognition.contact", allow_null=True)
    recognised_by = serializers.ChoiceField(
        choices=["agent", "phone"],
        source="recognition.by",
        allow_null=True,
        help_text="`phone`: the customer's number is the contact's; `agent`: an agent linked (or unlinked) them",
    )
    cases = CaseSerializer(many=True, help_text="Newest first, at most 10")
    catalog_requests = CatalogRequestSerializer(many=True, help_text="Newest first, at most 5")


class ContactLinkSerializer(serializers.Serializer):
    contact_id = serializers.IntegerField(
        allow_null=True, min_value=1, max_value=MAX_BIGINT, help_text="The contact; null: the customer is nobody known"
    )


class NewCaseSerializer(serializers.Serializer):
    short_description = serializers.CharField(max_length=2000, help_text="Over 160 characters: cut, kept whole below")
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")
    priority = serializers.ChoiceField(choices=CasePriority.choices, default=CasePriority.MODERATE)
    category_id = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_BIGINT)
    attachment_message_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_BIGINT),
        required=False,
        default=list,
        max_length=20,
        help_text="Messages of this conversation whose files (photos, documents) belong to the case",
    )


class CaseStateChangeSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=CaseState.choices, help_text="The customer is told of the change")


class CaseCommentSerializer(serializers.ModelSerializer):
    internal = serializers.BooleanField(help_text="A work note: agents only, never shown or sent to the customer")
    author = serializers.SerializerMethodField(help_text="The agent's name; null: the customer wrote it")
    attachment_count = serializers.IntegerField(source="attachments.count", help_text="Files the customer sent with it")

    class Meta:
        model = CaseComment
        fields = ["id", "text", "internal", "author", "attachment_count", "created_at"]

    def get_author(self, comment: CaseComment) -> str | None:
        return person_name(comment.author) if comment.author_id else None


class NewCaseCommentSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=3000,
        help_text="What the agent writes",
        error_messages={"blank": "Write the note or comment first.", "required": "Write the note or comment first."},
    )
    internal = serializers.BooleanField(
        default=False, help_text="true: a work note for agents; false: a comment the customer is sent"
    )


class LinkCaseSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=16, help_text="The case's number, e.g. CS0001001")


class AnswerHitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["article", "community"])
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    snippet = serializers.CharField()
    url = serializers.URLField(help_text="The public page of the whole answer")
    message_text = serializers.SerializerMethodField(help_text="What sharing it sends the customer")

    def get_message_text(self, hit: AnswerHit) -> str:
        return answer_message_text(hit)


class CatalogQuestionSerializer(serializers.ModelSerializer):
    choices = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = CatalogQuestion
        fields = [
            "id",
            "label",
            "kind",
            "required",
            "choices",
            "min_value",
            "max_value",
            "max_length",
            "min_days_ahead",
            "max_days_ahead",
        ]


class CatalogItemSerializer(serializers.ModelSerializer):
    questions = CatalogQuestionSerializer(many=True)

    class Meta:
        model = CatalogItem
        fields = ["id", "name", "description", "questions"]


class CatalogCategorySerializer(serializers.ModelSerializer):
    items = CatalogItemSerializer(many=True, source="active_items")

    class Meta:
        model = CatalogCategory
        fields = ["id", "name", "description", "items"]


class NewCatalogRequestSerializer(serializers.Serializer):
    item_id = serializers.IntegerField(min_value=1, max_value=MAX_BIGINT)
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=2000),
        help_text='Each question\'s id and the answer as the customer gave it, e.g. {"12": "2", "13": "24/12/2026"}',
    )
