"""Transfer and the queues to transfer to. Thin: validate, call the service, serialize.

Mounted by config (see the report for the paths): `POST /api/v1/interactions/<id>/transfer/` and
`GET /api/v1/routing/queues/`.
"""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interactions.api.query import MAX_BIGINT
from interactions.api.schema import answers
from interactions.roles import may_view_interactions
from interactions.selectors import interactions_visible_to
from interactions.serializers import InteractionSerializer
from routing.business_hours import next_opening
from routing.models import Queue, WorkItemState
from routing.services.queueing import opening_hours_of
from routing.services.transfer import TransferInvalid, TransferNotAllowed, transfer_interaction


class TransferSerializer(serializers.Serializer):
    to_agent = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_BIGINT, help_text="The receiving agent's user id"
    )
    to_queue = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=64, help_text="The receiving queue's `key`"
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default="", help_text="For whoever takes it over"
    )

    def validate(self, data: dict) -> dict:
        agent_id, queue_key = data.get("to_agent"), (data.get("to_queue") or "").strip()
        data["to_agent"] = data["to_queue"] = None
        if (agent_id is None) == (not queue_key):
            raise serializers.ValidationError("Transfer to an agent or to a queue: give exactly one of them.")
        if agent_id is not None:
            data["to_agent"] = get_user_model().objects.filter(pk=agent_id, is_active=True).first()
            if data["to_agent"] is None:
                raise serializers.ValidationError({"to_agent": [f"No active user has the id {agent_id}."]})
        else:
            data["to_queue"] = Queue.objects.filter(key=queue_key).first()
            if data["to_queue"] is None:
                raise serializers.ValidationError({"to_queue": [f"There is no queue {queue_key!r}."]})
        return data


class TransferInteraction(APIView):
    @extend_schema(
        request=TransferSerializer,
        responses=answers({200: InteractionSerializer}, 400, 404, 409),
        description="Hands the conversation to an agent (offered to them first) or a queue, with a note the "
        "receiver's offer shows. The transferring agent lets go of it at once; the customer gets the queue's "
        "transfer message. Only the agent who has the conversation, or a manager, may transfer it.",
    )
    def post(self, request: Request, pk: int) -> Response:
        interaction = get_object_or_404(interactions_visible_to(request.user), pk=pk)
        body = TransferSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields = body.validated_data
        try:
            transfer_interaction(
                interaction=interaction,
                by=request.user,
                to_agent=fields["to_agent"],
                to_queue=fields["to_queue"],
                note=fields["note"],
            )
        except TransferNotAllowed as refusal:
            raise PermissionDenied(refusal.reason) from refusal
        except TransferInvalid as refusal:
            return Response({"detail": refusal.reason}, status=400)
        interaction.refresh_from_db()
        return Response(InteractionSerializer(interaction).data)


class QueueSummarySerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    priority = serializers.IntegerField(help_text="1 is served first")
    is_default = serializers.BooleanField()
    time_zone = serializers.CharField()
    is_open = serializers.BooleanField(help_text="Within its business hours now")
    next_opening_at = serializers.DateTimeField(allow_null=True, help_text="When it opens next; now when open")
    waiting = serializers.IntegerField(help_text="Conversations queued for a person")


class QueueList(APIView):
    @extend_schema(responses=answers({200: QueueSummarySerializer(many=True)}))
    def get(self, request: Request) -> Response:
        if not may_view_interactions(request.user):
            raise PermissionDenied("Only agents, managers and admins see the queues.")
        now = timezone.now()
        queues = (
            Queue.objects.prefetch_related("holidays")
            .annotate(waiting=Count("work_items", filter=Q(work_items__state=WorkItemState.QUEUED)))
            .order_by("priority", "name")
        )
        rows = []
        for queue in queues:
            opening = next_opening(opening_hours_of(queue), after=now)
            rows.append(
                {
                    "key": queue.key,
                    "name": queue.name,
                    "description": queue.description,
                    "priority": queue.priority,
                    "is_default": queue.is_default,
                    "time_zone": queue.time_zone,
                    "is_open": opening == now,
                    "next_opening_at": opening,
                    "waiting": queue.waiting,
                }
            )
        return Response(QueueSummarySerializer(rows, many=True).data)
