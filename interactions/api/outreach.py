"""API v1: the business writing first. Finding a customer, asking the outreach policy, starting a conversation,
templates (listed, synced, sent) and notifications from outside systems. Refusals are 409 with the reason."""

import re

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from consent.models import ConsentStatus
from consent.policies import OutreachDecision, e164_number
from interactions.api.idempotency import idempotency_key, idempotency_parameter, marked_replayed
from interactions.api.parsing import StorableJSONField
from interactions.api.query import MAX_BIGINT, validated_query
from interactions.api.schema import ConversationRefusalSerializer, answers
from interactions.models import ChannelUser, MessageTemplate, Notification, NotificationOutcome
from interactions.roles import may_send_messages, may_send_notifications, may_view_interactions
from interactions.selectors import customers_for_display, customers_matching, interactions_visible_to
from interactions.serializers import InteractionSerializer, MessageSerializer, timeline_message_data
from interactions.services.conversations import send_template_reply, start_conversation
from interactions.services.outbound import ActionRefused
from interactions.services.outreach import outreach_options_for
from interactions.services.system_messages import SystemMessageContent, send_system_message
from interactions.services.templates import (
    TemplateValues,
    approved_templates_for,
    parameter_slots,
    sync_message_templates,
)

_NON_DIGITS = re.compile(r"\D")


def _require_viewer(request: Request) -> None:
    if not may_view_interactions(request.user):
        raise PermissionDenied("For agents, managers and admins.")


def channel_user_for_number(number: str) -> ChannelUser | None:
    """The customer with this number on any of our business numbers (WhatsApp ids are the digits)."""
    digits = _NON_DIGITS.sub("", number)
    return ChannelUser.objects.filter(external_id=digits).order_by("-last_inbound_at").first() if digits else None


def requested_customer(data: dict) -> ChannelUser | None:
    """The customer a request names by `channel_user_id` or by `number`; None when nobody has that profile."""
    if data.get("channel_user_id"):
        return ChannelUser.objects.filter(pk=data["channel_user_id"]).first()
    return channel_user_for_number(data["number"])


def _customer_json(channel_user: ChannelUser) -> dict:
    """Of a customer read through `customers_for_display`, which reads what this shows for a whole list at once."""
    current = channel_user.consent
    open_interaction = next(iter(channel_user.open_interactions), None)
    return {
        "id": channel_user.pk,
        "channel": channel_user.channel,
        "external_id": channel_user.external_id,
        "display_name": channel_user.display_name,
        "last_inbound_at": channel_user.last_inbound_at,
        "unreachable_since": channel_user.unreachable_since,
        "consent": {"status": current.status, "at": current.at},
        "open_interaction": {"id": open_interaction.pk, "number": open_interaction.number}
        if open_interaction
        else None,
    }


def _decision_json(decision) -> dict:
    return {
        "allowed": decision.allowed,
        "reason": decision.reason,
        "template_required": decision.template_required,
        "window_closes_at": decision.window_closes_at,
    }


def _template_json(template: MessageTemplate, decision: OutreachDecision) -> dict:
    return {
        "id": template.pk,
        "name": template.name,
        "language": template.language,
        "category": template.category,
        "header": template.header,
        "body": template.body,
        "footer": template.footer,
        "buttons": template.buttons,
        "slots": parameter_slots(template),
        "allowed": decision.allowed,
        "reason": decision.reason,
    }


class CustomerConsentSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ConsentStatus.choices, allow_null=True, help_text="null: never recorded")
    at = serializers.DateTimeField(allow_null=True)


class OpenInteractionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


class CustomerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    channel = serializers.CharField()
    external_id = serializers.CharField()
    display_name = serializers.CharField(allow_blank=True)
    last_inbound_at = serializers.DateTimeField(allow_null=True)
    unreachable_since = serializers.DateTimeField(allow_null=True)
    consent = CustomerConsentSerializer()
    open_interaction = OpenInteractionSerializer(allow_null=True)


class NumberGuessSerializer(serializers.Serializer):
    input = serializers.CharField(help_text="The search as given")
    e164 = serializers.CharField(allow_null=True, help_text="The number in E.164, null when it is not a valid one")
    known = serializers.BooleanField(help_text="Whether a customer has this number")


class CustomerSearchSerializer(serializers.Serializer):
    results = CustomerSerializer(many=True)
    number = NumberGuessSerializer(allow_null=True, help_text="When the search looks like a phone number")


class CustomerSearchQuery(serializers.Serializer):
    search = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="A name or (part of) a phone number"
    )


class OutreachDecisionSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True, help_text="Why not, when not allowed")
    template_required = serializers.BooleanField(help_text="Refused only because the window is closed")
    window_closes_at = serializers.DateTimeField(allow_null=True)


class TemplateSlotsSerializer(serializers.Serializer):
    header = serializers.IntegerField()
    body = serializers.IntegerField()
    buttons = serializers.DictField(child=serializers.IntegerField(), help_text="Values per button, by index")


class TemplateOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    language = serializers.CharField()
    category = serializers.CharField()
    header = serializers.CharField(allow_blank=True)
    body = serializers.CharField()
    footer = serializers.CharField(allow_blank=True)
    buttons = serializers.ListField(child=serializers.DictField())
    slots = TemplateSlotsSerializer(help_text="How many values each part needs")
    allowed = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)


class OutreachSerializer(serializers.Serializer):
    customer = CustomerSerializer(allow_null=True)
    free_form = OutreachDecisionSerializer()
    templates = TemplateOptionSerializer(many=True)


class OutreachQuery(serializers.Serializer):
    number = serializers.CharField(required=False, allow_blank=True, max_length=32, help_text="A phone number")


class ChannelUserSearch(APIView):
    @extend_schema(parameters=[CustomerSearchQuery], responses=answers({200: CustomerSearchSerializer}, 400))
    def get(self, request: Request) -> Response:
        _require_viewer(request)
        needle = validated_query(request, CustomerSearchQuery).get("search", "").strip()
        digits = _NON_DIGITS.sub("", needle)
        found = customers_for_display(customers_matching(needle=needle, digits=digits))
        number = None
        if digits and len(digits) >= 6:
            number = {
                "input": needle,
                "e164": e164_number(digits),
                "known": channel_user_for_number(digits) is not None,
            }
        return Response({"results": [_customer_json(user) for user in found], "number": number})


class Outreach(APIView):
    """What the business may send first to this customer: free-form, which templates, or why nothing."""

    @extend_schema(parameters=[OutreachQuery], responses=answers({200: OutreachSerializer}, 400, 404))
    def get(self, request: Request, pk: int | None = None) -> Response:
        _require_viewer(request)
        channel_user = (
            get_object_or_404(ChannelUser, pk=pk)
            if pk is not None
            else channel_user_for_number(validated_query(request, OutreachQuery).get("number", ""))
        )
        templates = approved_templates_for(channel_user) if channel_user is not None else []
        options = outreach_options_for(channel_user=channel_user, templates=templates)
        return Response(
            {
                "customer": _customer_json(customers_for_display([channel_user])[0]) if channel_user else None,
                "free_form": _decision_json(options.free_form),
                "templates": [_template_json(template, decision) for template, decision in options.templates],
            }
        )


class TemplateValuesField(StorableJSONField):
    """`{"header": [...], "body": [...], "buttons": {"0": [...]}}`, read into TemplateValues; a wrong shape is a
    field error (400), like any other bad input."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("help_text", 'The slots\' values: {"header": [...], "body": [...], "buttons": {"0": [...]}}')
        super().__init__(required=False, default=TemplateValues, **kwargs)

    def to_internal_value(self, data) -> TemplateValues:
        try:
            return TemplateValues.from_json(super().to_internal_value(data))
        except ActionRefused as refusal:
            raise ValidationError(refusal.reason) from refusal


class TemplateChoiceSerializer(serializers.Serializer):
    template_id = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_BIGINT)
    values = TemplateValuesField()


class StartConversationSerializer(TemplateChoiceSerializer):
    channel_user_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_BIGINT)
    number = serializers.CharField(required=False, max_length=32)
    text = serializers.CharField(required=False, allow_blank=True)

    def validate(self, data: dict) -> dict:
        if not data.get("channel_user_id") and not data.get("number"):
            raise ValidationError("Name the customer: channel_user_id, or a number.")
        if bool(data.get("text", "").strip()) == bool(data.get("template_id")):
            raise ValidationError("Send either a text or a template_id (with its values).")
        return data


class StartedConversationSerializer(serializers.Serializer):
    interaction = InteractionSerializer()
    message = MessageSerializer()


class Conversations(APIView):
    @extend_schema(
        request=StartConversationSerializer,
        responses=answers({201: StartedConversationSerializer}, 400, 409, refusal=ConversationRefusalSerializer),
    )
    def post(self, request: Request) -> Response:
        if not may_send_messages(request.user):
            raise PermissionDenied("Only agents may start conversations.")
        body = StartConversationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        channel_user = requested_customer(data)
        message = start_conversation(
            agent=request.user,
            channel_user=channel_user,
            text=data.get("text", ""),
            template_id=data.get("template_id"),
            values=data["values"],
        )
        interaction = interactions_visible_to(request.user).get(pk=message.interaction_id)
        return Response(
            {
                "interaction": InteractionSerializer(interaction).data,
                "message": timeline_message_data(message),
            },
            status=status.HTTP_201_CREATED,
        )


class TemplateMessages(APIView):
    @extend_schema(request=TemplateChoiceSerializer, responses=answers({201: MessageSerializer}, 400, 404, 409))
    def post(self, request: Request, pk: int) -> Response:
        interaction = get_object_or_404(interactions_visible_to(request.user), pk=pk)
        if not may_send_messages(request.user):
            raise PermissionDenied("Only agents may send messages.")
        body = TemplateChoiceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if not body.validated_data.get("template_id"):
            raise ValidationError({"template_id": "Pick a template."})
        message = send_template_reply(
            interaction=interaction,
            author=request.user,
            template_id=body.validated_data["template_id"],
            values=body.validated_data["values"],
        )
        return Response(timeline_message_data(message), status=status.HTTP_201_CREATED)


class SyncedTemplatesSerializer(serializers.Serializer):
    synced = serializers.IntegerField(help_text="How many templates the channel has now")


class SyncTemplates(APIView):
    @extend_schema(request=None, responses=answers({200: SyncedTemplatesSerializer}, 502))
    def post(self, request: Request) -> Response:
        if not may_send_notifications(request.user):
            raise PermissionDenied("Agents and admins may sync templates.")
        return Response({"synced": sync_message_templates()})


class NotificationTemplateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=512)
    language = serializers.CharField(max_length=16, default="en_US")
    values = TemplateValuesField()


class NotificationRequestSerializer(serializers.Serializer):
    channel_user_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_BIGINT)
    number = serializers.CharField(required=False, max_length=32)
    reason = serializers.CharField(max_length=255)
    text = serializers.CharField(required=False, allow_blank=True, default="")
    template = NotificationTemplateSerializer(required=False)

    def validate(self, data: dict) -> dict:
        if not data.get("channel_user_id") and not data.get("number"):
            raise ValidationError("Name the customer: channel_user_id, or a number.")
        return data


class NotificationSerializer(serializers.ModelSerializer):
    interaction_id = serializers.IntegerField(source="message.interaction_id", allow_null=True, read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "outcome",
            "refusal_reason",
            "reason",
            "recipient",
            "message_id",
            "interaction_id",
            "created_at",
        ]


class RefusedNotificationSerializer(NotificationSerializer):
    detail = serializers.CharField(help_text="Why it was not sent (the refusal_reason)")

    class Meta(NotificationSerializer.Meta):
        fields = [*NotificationSerializer.Meta.fields, "detail"]


class Notifications(APIView):
    """Outside systems notify a customer. Send the same Idempotency-Key when retrying: it sends once."""

    @extend_schema(
        request=NotificationRequestSerializer,
        parameters=[idempotency_parameter(required=True)],
        responses=answers(
            {
                201: OpenApiResponse(NotificationSerializer, description="Sent"),
                200: OpenApiResponse(NotificationSerializer, description="A retry: what the first request did"),
            },
            400,
            409,
            422,
            refusal=RefusedNotificationSerializer,
        ),
    )
    def post(self, request: Request) -> Response:
        if not may_send_notifications(request.user):
            raise PermissionDenied("Notifications are sent with an agent's or an admin's token.")
        key = idempotency_key(request, required=True)
        body = NotificationRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        template = data.get("template") or {}
        channel_user = requested_customer(data)
        result = send_system_message(
            channel_user=channel_user,
            content=SystemMessageContent(
                text=data.get("text", ""),
                template_name=template.get("name", ""),
                template_language=template.get("language", "en_US"),
                template_values=template.get("values", TemplateValues()),
            ),
            reason=data["reason"],
            idempotency_key=f"api:{request.user.pk}:{key}",
            recipient=data.get("number") or str(data.get("channel_user_id")),
            requested_by=request.user,
        )
        notification = result.notification
        answer = NotificationSerializer(notification).data
        if notification.outcome == NotificationOutcome.REFUSED:
            answer["detail"] = notification.refusal_reason
            code = status.HTTP_409_CONFLICT
        else:
            code = status.HTTP_200_OK if result.replayed else status.HTTP_201_CREATED
        response = Response(answer, status=code)
        return marked_replayed(response) if result.replayed else response
