"""The virtual agent's API for agents: its topics, and handing a conversation to it and taking it back. Thin:
validate, call the service, serialize. Mounted by config: `GET /api/v1/virtual-agent/topics/` and
`POST` / `DELETE /api/v1/interactions/<id>/virtual-agent/`."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interactions.api.schema import answers
from interactions.roles import may_send_messages, may_view_interactions
from interactions.selectors import interactions_visible_to
from interactions.serializers import InteractionSerializer
from virtual_agent.models import Topic
from virtual_agent.services import hand_to_virtual_agent, take_from_virtual_agent


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["key", "name", "description"]


class HandToVirtualAgentSerializer(serializers.Serializer):
    topic = serializers.CharField(
        required=False, allow_blank=True, max_length=64, default="", help_text="A topic's key; empty: its menu"
    )


def _may_act(request: Request) -> None:
    if not may_send_messages(request.user):
        raise PermissionDenied("Only agents hand conversations to the virtual agent and take them back.")


class Topics(APIView):
    @extend_schema(responses=answers({200: TopicSerializer(many=True)}))
    def get(self, request: Request) -> Response:
        if not may_view_interactions(request.user):
            raise PermissionDenied("Only agents and managers see the virtual agent's topics.")
        return Response(TopicSerializer(Topic.objects.filter(is_active=True), many=True).data)


class InteractionVirtualAgent(APIView):
    @extend_schema(
        request=HandToVirtualAgentSerializer,
        responses=answers({200: InteractionSerializer}, 400, 403, 404, 409),
        description="Hands the conversation back to the virtual agent, which asks the topic's first question (or "
        "shows its menu) at once. The conversation stays the agent's: when the virtual agent is done it comes back.",
    )
    def post(self, request: Request, pk: int) -> Response:
        _may_act(request)
        interaction = get_object_or_404(interactions_visible_to(request.user), pk=pk)
        body = HandToVirtualAgentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        hand_to_virtual_agent(interaction=interaction, agent=request.user, topic_key=body.validated_data["topic"])
        interaction.refresh_from_db()
        return Response(InteractionSerializer(interaction).data)

    @extend_schema(
        responses=answers({200: InteractionSerializer}, 403, 404, 409),
        description="The agent takes the conversation from the virtual agent (again); it stops where it was.",
    )
    def delete(self, request: Request, pk: int) -> Response:
        _may_act(request)
        interaction = get_object_or_404(interactions_visible_to(request.user), pk=pk)
        take_from_virtual_agent(interaction=interaction, agent=request.user)
        interaction.refresh_from_db()
        return Response(InteractionSerializer(interaction).data)
