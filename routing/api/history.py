"""An interaction's routing history for the workspace's side panel: who it was offered to, who rejected it and
why, transfers with their notes, reassignments, its closing."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interactions.api.schema import answers
from interactions.selectors import interactions_visible_to
from routing.selectors import routing_history


class RoutingHistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField(
        help_text="queued, offered, accepted, rejected, timed_out, offer_withdrawn, transferred, reassigned, "
        "cancelled, closed, or wrapped_up"
    )
    label = serializers.CharField(help_text="The kind in words")
    actor = serializers.CharField(allow_null=True, help_text="Who did it; null when no person did")
    agent = serializers.CharField(allow_null=True, help_text="The agent it concerns: offered to, rejected by, …")
    queue = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)


class InteractionRoutingHistory(APIView):
    @extend_schema(responses=answers({200: RoutingHistoryEntrySerializer(many=True)}, 404))
    def get(self, request: Request, pk: int) -> Response:
        interaction = get_object_or_404(interactions_visible_to(request.user).select_related("closed_by"), pk=pk)
        return Response(RoutingHistoryEntrySerializer(routing_history(interaction), many=True).data)
