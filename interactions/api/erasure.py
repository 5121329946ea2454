"""API v1: a customer's erasure on request, for admins (managers and agents are refused). GET says what an erasure
removes and keeps; POST, with a reason, erases in one transaction and answers with the counts."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interactions.api.schema import answers
from interactions.models import ChannelUser
from retention.policies import may_erase_customers
from retention.registry import erasure_steps
from retention.services import ErasureRefused, erase_customer


class ErasurePlanSerializer(serializers.Serializer):
    channel_user_id = serializers.IntegerField()
    removes = serializers.ListField(child=serializers.CharField(), help_text="What an erasure removes.")
    keeps = serializers.ListField(child=serializers.CharField(), help_text="What stays, so the records add up.")


class EraseCustomerSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, help_text="The customer's request, its date and reference; kept in the audit log."
    )


class CustomerErasureSerializer(serializers.Serializer):
    channel_user_id = serializers.IntegerField()
    removed = serializers.DictField(child=serializers.IntegerField(), help_text="How many of each were removed.")


def _customer_for_erasure(request: Request, pk: int) -> ChannelUser:
    if not may_erase_customers(request.user):
        raise PermissionDenied("Only admins may erase a customer's data.")
    return get_object_or_404(ChannelUser, pk=pk)


class ChannelUserErasure(APIView):
    @extend_schema(responses=answers({200: ErasurePlanSerializer}, 404))
    def get(self, request: Request, pk: int) -> Response:
        channel_user = _customer_for_erasure(request, pk)
        steps = erasure_steps()
        return Response(
            {
                "channel_user_id": channel_user.pk,
                "removes": [line for step in steps for line in step.removes],
                "keeps": [line for step in steps for line in step.keeps],
            }
        )

    @extend_schema(request=EraseCustomerSerializer, responses=answers({200: CustomerErasureSerializer}, 400, 404))
    def post(self, request: Request, pk: int) -> Response:
        channel_user = _customer_for_erasure(request, pk)
        body = EraseCustomerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            erasure = erase_customer(
                channel_user=channel_user, erased_by=request.user, reason=body.validated_data["reason"]
            )
        except ErasureRefused as refusal:
            raise ValidationError({"reason": [refusal.reason]}) from refusal
        return Response({"channel_user_id": erasure.channel_user_id, "removed": erasure.removed})
