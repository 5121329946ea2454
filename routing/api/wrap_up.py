"""API: wrap-ups and the resolution codes they choose from. Thin: validate, call a service, serialize.

Mounted twice (config/urls.py): `interaction_urlpatterns` under /api/v1/ beside the interaction's other actions,
`urlpatterns` under /api/v1/routing/.
"""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interactions.api.query import MAX_BIGINT
from interactions.api.schema import answers
from interactions.api.views import visible_interaction
from interactions.people import person_name
from interactions.roles import may_send_messages, may_supervise, may_view_interactions
from routing.models import ResolutionCode, WrapUp
from routing.services.wrap_up import WRAP_UP_NOTES_LIMIT, WrapUpDue, wrap_up_interaction, wrap_ups_due


class ResolutionCodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResolutionCode
        fields = ["id", "text"]


class ResolutionCodes(APIView):
    @extend_schema(responses=answers({200: ResolutionCodeSerializer(many=True)}))
    def get(self, request: Request) -> Response:
        """The codes a wrap-up may choose, in the admins' order."""
        if not may_view_interactions(request.user):
            raise PermissionDenied("Only agents and managers read resolution codes.")
        codes = ResolutionCode.objects.filter(is_active=True)
        return Response(ResolutionCodeSerializer(codes, many=True).data)


class WrapUpSerializer(serializers.ModelSerializer):
    resolution_code = ResolutionCodeSerializer(read_only=True)
    agent = serializers.SerializerMethodField()

    class Meta:
        model = WrapUp
        fields = ["interaction_id", "resolution_code", "notes", "agent", "at", "late"]

    def get_agent(self, wrap_up: WrapUp) -> str | None:
        return person_name(wrap_up.agent)


class WrapUpRequestSerializer(serializers.Serializer):
    resolution_code = serializers.IntegerField(
        min_value=1, max_value=MAX_BIGINT, help_text="The id of a code from /api/v1/routing/resolution-codes/"
    )
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=f"At most {WRAP_UP_NOTES_LIMIT} characters"
    )

    def validate_resolution_code(self, value: int) -> ResolutionCode:
        code = ResolutionCode.objects.filter(pk=value, is_active=True).first()
        if code is None:
            raise serializers.ValidationError(f"There is no resolution code {value} in use.")
        return code


class InteractionWrapUp(APIView):
    @extend_schema(responses=answers({200: WrapUpSerializer}, 404))
    def get(self, request: Request, pk: int) -> Response:
        """The interaction's wrap-up; 404 while it has none."""
        interaction = visible_interaction(request, pk)
        wrap_up = WrapUp.objects.select_related("resolution_code", "agent").filter(interaction=interaction).first()
        if wrap_up is None:
            raise NotFound(f"Interaction {interaction.number} is not wrapped up.")
        return Response(WrapUpSerializer(wrap_up).data)

    @extend_schema(
        request=WrapUpRequestSerializer,
        responses=answers({201: WrapUpSerializer}, 400, 404, 409),
        description="By the agent who closed the interaction, once; due within the configured time after closing "
        "(a later one is taken and marked `late`).",
    )
    def post(self, request: Request, pk: int) -> Response:
        interaction = visible_interaction(request, pk)
        if not may_send_messages(request.user):
            raise PermissionDenied("Only agents wrap up conversations.")
        body = WrapUpRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        wrap_up = wrap_up_interaction(
            interaction=interaction,
            agent=request.user,
            resolution_code=body.validated_data["resolution_code"],
            notes=body.validated_data["notes"],
        )
        return Response(WrapUpSerializer(wrap_up).data, status=status.HTTP_201_CREATED)


class WrapUpDueInteractionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    customer = serializers.CharField()
    state = serializers.CharField()
    state_reason = serializers.CharField()


class WrapUpDueSerializer(serializers.Serializer):
    interaction = WrapUpDueInteractionSerializer()
    closed_by = serializers.CharField()
    closed_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    overdue = serializers.BooleanField()


def _due_row(due: WrapUpDue) -> dict:
    interaction = due.interaction
    return {
        "interaction": {
            "id": interaction.pk,
            "number": interaction.number,
            "customer": interaction.channel_user.display_name or interaction.channel_user.external_id,
            "state": interaction.state,
            "state_reason": interaction.state_reason,
        },
        "closed_by": person_name(interaction.closed_by),
        "closed_at": interaction.closed_at,
        "due_at": due.due_at,
        "overdue": due.overdue,
    }


class WrapUpsDue(APIView):
    @extend_schema(responses=answers({200: WrapUpDueSerializer(many=True)}))
    def get(self, request: Request) -> Response:
        """The wrap-ups still owed, oldest first, the overdue ones marked: an agent's own; a manager's, everyone's."""
        if may_send_messages(request.user):
            owed = wrap_ups_due(agent=request.user)
        elif may_supervise(request.user):
            owed = wrap_ups_due()
        else:
            raise PermissionDenied("Only agents and managers read the wrap-ups owed.")
        return Response(WrapUpDueSerializer([_due_row(due) for due in owed], many=True).data)


interaction_urlpatterns = [
    path("interactions/<int:pk>/wrap-up/", InteractionWrapUp.as_view(), name="interaction-wrap-up"),
]
urlpatterns = [
    path("resolution-codes/", ResolutionCodes.as_view(), name="resolution-codes"),
    path("wrap-ups/due/", WrapUpsDue.as_view(), name="wrap-ups-due"),
]
