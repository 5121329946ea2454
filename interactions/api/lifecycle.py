"""API v1: putting an interaction on hold and resuming it, and internal notes. Thin: validate, call a service."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interactions.api.query import MAX_BIGINT
from interactions.api.schema import answers
from interactions.api.views import visible_interaction
from interactions.roles import may_send_messages, may_write_internal_notes
from interactions.serializers import InteractionSerializer, MessageSerializer, timeline_message_data
from interactions.services.lifecycle import put_on_hold, resume_interaction
from interactions.services.notes import NOTE_LIMIT, add_internal_note


class HoldSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="What the customer owes us, e.g. a photo of the receipt")


class HoldInteraction(APIView):
    @extend_schema(
        request=HoldSerializer,
        responses=answers({200: InteractionSerializer}, 400, 404, 409),
        description="Waiting for the customer: the interaction stays open and theirs; the customer's next message "
        "(or resume/) makes it work in progress again. Only an interaction in progress can be put on hold.",
    )
    def post(self, request: Request, pk: int) -> Response:
        interaction = visible_interaction(request, pk)
        if not may_send_messages(request.user):
            raise PermissionDenied("Only agents may put interactions on hold.")
        body = HoldSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        interaction = put_on_hold(interaction=interaction, by=request.user, reason=body.validated_data["reason"])
        return Response(InteractionSerializer(interaction).data)


class ResumeInteraction(APIView):
    @extend_schema(request=None, responses=answers({200: InteractionSerializer}, 404, 409))
    def post(self, request: Request, pk: int) -> Response:
        interaction = visible_interaction(request, pk)
        if not may_send_messages(request.user):
            raise PermissionDenied("Only agents may resume interactions.")
        interaction = resume_interaction(interaction=interaction, by=request.user)
        return Response(InteractionSerializer(interaction).data)


class NoteSerializer(serializers.Serializer):
    text = serializers.CharField(help_text=f"At most {NOTE_LIMIT} characters; never sent to the customer")
    whisper_to = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_BIGINT,
        help_text="A supervisor's whisper: the id of the agent the interaction is assigned to",
    )

    def validate_whisper_to(self, value: int | None):
        if value is None:
            return None
        person = get_user_model().objects.filter(pk=value, is_active=True).first()
        if person is None:
            raise serializers.ValidationError(f"There is no active user {value}.")
        return person


class InteractionNotes(APIView):
    @extend_schema(
        request=NoteSerializer,
        responses=answers({201: MessageSerializer}, 400, 404, 409),
        description="An internal note in the timeline (`direction` internal, `internal` true): colleagues see it, "
        "the customer never does. With `whisper_to`, a supervisor's note for the conversation's agent.",
    )
    def post(self, request: Request, pk: int) -> Response:
        interaction = visible_interaction(request, pk)
        if not may_write_internal_notes(request.user):
            raise PermissionDenied("Only agents and managers may write internal notes.")
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        note = add_internal_note(
            interaction=interaction,
            author=request.user,
            text=body.validated_data["text"],
            whisper_to=body.validated_data.get("whisper_to"),
        )
        return Response(timeline_message_data(note), status=status.HTTP_201_CREATED)
