"""API v1: interactions and their messages. Thin: validate, call a service, serialize."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interactions.models import OPEN_STATES, Interaction, InteractionState
from interactions.roles import may_send_messages
from interactions.selectors import interactions_visible_to, messages_changed_after
from interactions.serializers import InteractionDetailSerializer, InteractionSerializer, MessageSerializer
from interactions.services.lifecycle import close_interaction, mark_interaction_seen
from interactions.services.outbound import retry_failed_message, send_agent_reply
from interactions.services.rich_outbound import send_agent_rich_message


class InteractionList(ListAPIView):
    serializer_class = InteractionSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("state", description="new, work_in_progress, closed_complete, closed_abandoned, or open"),
            OpenApiParameter("wa_id", description="The customer's WhatsApp id"),
        ]
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        queryset = interactions_visible_to(self.request.user)
        state = self.request.query_params.get("state")
        if state == "open":
            queryset = queryset.filter(state__in=OPEN_STATES)
        elif state:
            if state not in InteractionState.values:
                raise ValidationError({"state": f"Unknown state {state!r}; use one of {InteractionState.values}."})
            queryset = queryset.filter(state=state)
        wa_id = self.request.query_params.get("wa_id")
        if wa_id:
            queryset = queryset.filter(channel_user__channel="whatsapp", channel_user__external_id=wa_id)
        return queryset


class InteractionDetail(RetrieveAPIView):
    serializer_class = InteractionDetailSerializer

    def get_queryset(self):
        return interactions_visible_to(self.request.user).prefetch_related("messages__author", "messages__attachment")


def _visible_interaction(request: Request, pk: int) -> Interaction:
    return get_object_or_404(interactions_visible_to(request.user), pk=pk)


class SendTextSerializer(serializers.Serializer):
    text = serializers.CharField(trim_whitespace=True, help_text="At most the channel's `text_limit` characters")
    reply_to = serializers.IntegerField(required=False, allow_null=True, help_text="Quote this message (its id)")


class SendRichMessageSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["location", "reaction", "interactive"])
    content = serializers.JSONField(help_text="The kind's content; shapes in interactions/rich_content.py")
    reply_to = serializers.IntegerField(
        required=False, allow_null=True, help_text="Quote this message; for a reaction, the message reacted to"
    )


class InteractionMessages(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("after_revision", int, description="Only messages changed after this revision")],
        responses=MessageSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        interaction = _visible_interaction(request, pk)
        after = request.query_params.get("after_revision", "0")
        if not after.isdigit():
            raise ValidationError({"after_revision": "Must be a whole number."})
        messages = messages_changed_after(interaction=interaction, revision=int(after))
        return Response({"revision": interaction.revision, "messages": MessageSerializer(messages, many=True).data})

    @extend_schema(
        request=SendTextSerializer | SendRichMessageSerializer,
        responses={201: MessageSerializer},
        description="Text by default; `kind` location, reaction or interactive with its `content`. "
        "A refused rich message answers 400 with every `problems` at once.",
    )
    def post(self, request: Request, pk: int) -> Response:
        interaction = _visible_interaction(request, pk)
        if not may_send_messages(request.user):
            raise PermissionDenied("Only agents may send messages.")
        if not isinstance(request.data, dict):
            raise ValidationError({"detail": "The body must be a JSON object."})
        rich = request.data.get("kind", "text") != "text"
        body = (SendRichMessageSerializer if rich else SendTextSerializer)(data=request.data)
        body.is_valid(raise_exception=True)
        fields = body.validated_data
        if rich:
            message = send_agent_rich_message(
                interaction=interaction,
                author=request.user,
                kind=fields["kind"],
                content=fields["content"],
                reply_to_id=fields.get("reply_to"),
            )
        else:
            message = send_agent_reply(
                interaction=interaction,
                author=request.user,
                text=fields["text"],
                reply_to_id=fields.get("reply_to"),
            )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


class RetryMessage(APIView):
    @extend_schema(request=None, responses={200: MessageSerializer})
    def post(self, request: Request, pk: int, message_id: int) -> Response:
        interaction = _visible_interaction(request, pk)
        if not may_send_messages(request.user):
            raise PermissionDenied("Only agents may send messages.")
        message = get_object_or_404(interaction.messages.all(), pk=message_id)
        message = retry_failed_message(message=message, by=request.user)
        return Response(MessageSerializer(message).data)


class CloseSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=[InteractionState.CLOSED_COMPLETE, InteractionState.CLOSED_ABANDONED],
        default=InteractionState.CLOSED_COMPLETE,
    )


class CloseInteraction(APIView):
    @extend_schema(request=CloseSerializer, responses=InteractionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        interaction = _visible_interaction(request, pk)
        if not may_send_messages(request.user):
            raise PermissionDenied("Only agents may close interactions.")
        body = CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        interaction = close_interaction(interaction=interaction, by=request.user, state=body.validated_data["state"])
        return Response(InteractionSerializer(interaction).data)


class MarkInteractionSeen(APIView):
    @extend_schema(request=None, responses=InteractionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        interaction = _visible_interaction(request, pk)
        if not may_send_messages(request.user):
            raise PermissionDenied("Only agents clear unread counts; managers read without changing them.")
        interaction = mark_interaction_seen(interaction=interaction)
        return Response(InteractionSerializer(interaction).data)
