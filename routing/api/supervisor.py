"""The supervisor's live view over the API: one snapshot to draw, and the three things a manager does from it
(reassign a conversation, set an agent's presence, whisper to the agent). Managers, admins and superusers only."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interactions.api.query import MAX_BIGINT
from interactions.api.schema import answers
from interactions.models import Interaction, InteractionState
from interactions.roles import may_supervise
from interactions.selectors import interactions_for_summary
from interactions.serializers import InteractionSerializer, MessageSerializer, timeline_message_data
from interactions.services.notes import add_internal_note
from routing.models import Presence
from routing.selectors import QueueSnapshot, agent_rows, agents, supervisor_snapshot
from routing.serializers import PresenceSerializer
from routing.services.assignment import reassign_interaction
from routing.services.presence import set_presence


class MaySupervise(BasePermission):
    message = "The supervisor's view is for managers and admins."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return may_supervise(request.user)


class QueueSnapshotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    name = serializers.CharField()
    priority = serializers.IntegerField(help_text="Lower is served first")
    waiting = serializers.IntegerField(help_text="Items nobody has yet: queued or offered")
    offered = serializers.IntegerField(help_text="Of those, offered to an agent who has not answered yet")
    waiting_since = serializers.DateTimeField(
        allow_null=True,
        help_text="Since when the customer waiting longest has waited for a person (a transfer does not restart "
        "it); null when nothing waits",
    )
    expected_wait_seconds = serializers.SerializerMethodField(
        help_text="What a customer joining now can expect to wait, from the queue's recent history; null when "
        "there is too little of it"
    )

    def get_expected_wait_seconds(self, queue: QueueSnapshot) -> int | None:
        return None if queue.expected_wait is None else round(queue.expected_wait.total_seconds())


class AgentSnapshotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    username = serializers.CharField()
    presence = serializers.ChoiceField(choices=Presence.choices)
    presence_label = serializers.CharField(help_text="The presence in words")
    away_reason = serializers.CharField(allow_blank=True)
    presence_changed_at = serializers.DateTimeField(
        allow_null=True, help_text="In this presence since; null when it was never set"
    )
    load = serializers.IntegerField(help_text="Conversations held that count toward capacity")
    capacity = serializers.IntegerField()


class ConversationSnapshotSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The interaction's id")
    number = serializers.CharField(allow_blank=True)
    customer = serializers.CharField()
    agent_id = serializers.IntegerField()
    agent = serializers.CharField()
    queue_key = serializers.CharField(allow_blank=True)
    queue = serializers.CharField(allow_blank=True, help_text="The queue's name; blank when it was never routed")
    state = serializers.ChoiceField(choices=InteractionState.choices)
    state_label = serializers.CharField(help_text="The state in words")
    last_customer_message_at = serializers.DateTimeField(allow_null=True)
    awaiting_reply = serializers.BooleanField(help_text="The customer wrote last")


class SupervisorSnapshotSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField(help_text="The server's time: count waits from it, not the browser's")
    queues = QueueSnapshotSerializer(many=True)
    agents = AgentSnapshotSerializer(many=True)
    conversations = ConversationSnapshotSerializer(many=True)


class SupervisorSnapshot(APIView):
    permission_classes = [IsAuthenticated, MaySupervise]

    @extend_schema(responses=answers({200: SupervisorSnapshotSerializer}))
    def get(self, request: Request) -> Response:
        return Response(SupervisorSnapshotSerializer(supervisor_snapshot()).data)


def _existing_interaction(pk: int) -> Interaction:
    interaction = Interaction.objects.select_related("assigned_to").filter(pk=pk).first()
    if interaction is None:
        raise serializers.ValidationError("No interaction has this id.")
    return interaction


class ReassignSerializer(serializers.Serializer):
    interaction = serializers.IntegerField(min_value=1, max_value=MAX_BIGINT, help_text="The interaction's id")
    to_agent = serializers.IntegerField(min_value=1, max_value=MAX_BIGINT, help_text="The agent's user id")
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="For the receiving agent")

    def validate_interaction(self, value: int) -> Interaction:
        return _existing_interaction(value)

    def validate_to_agent(self, value: int):
        agent = agents().filter(pk=value).first()
        if agent is None:
            raise serializers.ValidationError("No active agent has this id.")
        return agent


class Reassign(APIView):
    permission_classes = [IsAuthenticated, MaySupervise]

    @extend_schema(request=ReassignSerializer, responses=answers({200: InteractionSerializer}, 400, 409))
    def post(self, request: Request) -> Response:
        body = ReassignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        interaction = body.validated_data["interaction"]
        reassign_interaction(
            interaction=interaction,
            to_agent=body.validated_data["to_agent"],
            by=request.user,
            note=body.validated_data["note"],
        )
        interaction.refresh_from_db()
        return Response(InteractionSerializer(interactions_for_summary([interaction])[0]).data)


class AgentPresence(APIView):
    """A manager sets an agent's presence: offline ends their offers, which go back to the queue."""

    permission_classes = [IsAuthenticated, MaySupervise]

    @extend_schema(request=PresenceSerializer, responses=answers({200: AgentSnapshotSerializer}, 400, 404, 409))
    def post(self, request: Request, pk: int) -> Response:
        agent = get_object_or_404(agents(), pk=pk)
        body = PresenceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        set_presence(
            agent=agent,
            presence=body.validated_data["presence"],
            away_reason=body.validated_data.get("away_reason", ""),
            by=request.user,
        )
        return Response(AgentSnapshotSerializer(agent_rows(agent_ids=[agent.pk])[0]).data)


class WhisperSerializer(serializers.Serializer):
    interaction = serializers.IntegerField(min_value=1, max_value=MAX_BIGINT, help_text="The interaction's id")
    text = serializers.CharField(help_text="For the agent who holds the conversation; never sent to the customer")

    def validate_interaction(self, value: int) -> Interaction:
        interaction = _existing_interaction(value)
        if interaction.assigned_to is None:
            raise serializers.ValidationError("Nobody holds this conversation yet: there is no agent to whisper to.")
        return interaction


class Whisper(APIView):
    """An internal note addressed to the conversation's agent, written while reading along."""

    permission_classes = [IsAuthenticated, MaySupervise]

    @extend_schema(request=WhisperSerializer, responses=answers({201: MessageSerializer}, 400, 409))
    def post(self, request: Request) -> Response:
        body = WhisperSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        interaction = body.validated_data["interaction"]
        note = add_internal_note(
            interaction=interaction,
            author=request.user,
            text=body.validated_data["text"],
            whisper_to=interaction.assigned_to,
        )
        return Response(timeline_message_data(note), status=status.HTTP_201_CREATED)
