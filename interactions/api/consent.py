"""API v1: a customer's consent, its append-only history and the CSV export for audits. Records are added,
never changed: there is no PUT, PATCH or DELETE here (erasure is an admin action that leaves an audit entry)."""

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import AuditAction
from audit.services import record_audit_entry
from consent.models import AGENT_METHODS, ConsentRecord, ConsentScope, ConsentStatus
from consent.selectors import consent_export_rows, consent_history, consent_state
from interactions.api.schema import answers
from interactions.csv_rows import csv_lines
from interactions.models import ChannelUser
from interactions.people import person_name
from interactions.roles import may_export_consent, may_send_messages, may_view_interactions
from interactions.selectors import interactions_visible_to
from interactions.serializers import MessageSerializer, timeline_message_data
from interactions.services.consent_messages import ask_for_opt_in, record_agent_consent


class ConsentRecordSerializer(serializers.ModelSerializer):
    recorded_by = serializers.SerializerMethodField()
    method_label = serializers.CharField(source="get_method_display", read_only=True)

    class Meta:
        model = ConsentRecord
        fields = [
            "id",
            "scope",
            "status",
            "method",
            "method_label",
            "recorded_at",
            "recorded_by",
            "note",
            "message_id",
            "message_text",
            "language",
        ]

    def get_recorded_by(self, record: ConsentRecord) -> str | None:
        return person_name(record.recorded_by)


class RecordConsentSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ConsentStatus.choices)
    method = serializers.ChoiceField(choices=[(method.value, method.label) for method in AGENT_METHODS])
    note = serializers.CharField(max_length=2000, trim_whitespace=True)


class ConsentStateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ConsentStatus.choices, allow_null=True, help_text="null: never recorded")
    at = serializers.DateTimeField(allow_null=True)
    method = serializers.CharField(allow_blank=True)


class ConsentSummarySerializer(serializers.Serializer):
    channel_user_id = serializers.IntegerField()
    consent = ConsentStateSerializer(help_text="May we message them at all")
    marketing = ConsentStateSerializer(help_text="May we send them marketing")
    unreachable_since = serializers.DateTimeField(allow_null=True)
    history = ConsentRecordSerializer(many=True)


def visible_channel_user(request: Request, pk: int) -> ChannelUser:
    if not may_view_interactions(request.user):
        raise PermissionDenied("Consent is visible to agents, managers and admins.")
    return get_object_or_404(ChannelUser, pk=pk)


def consent_summary(channel_user: ChannelUser) -> dict:
    def state(scope: str) -> dict:
        current = consent_state(channel_user_id=channel_user.pk, scope=scope)
        return {"status": current.status, "at": current.at, "method": current.method}

    return {
        "channel_user_id": channel_user.pk,
        "consent": state(ConsentScope.ALL),
        "marketing": state(ConsentScope.MARKETING),
        "unreachable_since": channel_user.unreachable_since,
        "history": ConsentRecordSerializer(consent_history(channel_user_id=channel_user.pk), many=True).data,
    }


class ChannelUserConsent(APIView):
    @extend_schema(responses=answers({200: ConsentSummarySerializer}, 404))
    def get(self, request: Request, pk: int) -> Response:
        return Response(consent_summary(visible_channel_user(request, pk)))

    @extend_schema(request=RecordConsentSerializer, responses=answers({201: ConsentSummarySerializer}, 400, 404))
    def post(self, request: Request, pk: int) -> Response:
        channel_user = visible_channel_user(request, pk)
        if not may_send_messages(request.user):
            raise PermissionDenied("Only agents record consent.")
        body = RecordConsentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        record_agent_consent(channel_user=channel_user, agent=request.user, **body.validated_data)
        return Response(consent_summary(channel_user), status=status.HTTP_201_CREATED)


class AskForConsent(APIView):
    @extend_schema(request=None, responses=answers({201: MessageSerializer}, 404, 409))
    def post(self, request: Request, pk: int) -> Response:
        interaction = get_object_or_404(interactions_visible_to(request.user), pk=pk)
        if not may_send_messages(request.user):
            raise PermissionDenied("Only agents may send messages.")
        message = ask_for_opt_in(interaction=interaction, agent=request.user)
        return Response(timeline_message_data(message), status=status.HTTP_201_CREATED)


EXPORT_COLUMNS = [
    "channel",
    "customer_number",
    "customer_name",
    "scope",
    "status",
    "method",
    "recorded_at",
    "recorded_by",
    "note",
    "message_text",
    "language",
]


class ConsentExport(APIView):
    """Every consent record as CSV, oldest first per customer: the evidence an auditor asks for."""

    @extend_schema(responses=answers({(200, "text/csv"): OpenApiResponse(str, description="One row per record")}))
    def get(self, request: Request) -> StreamingHttpResponse:
        if not may_export_consent(request.user):
            raise PermissionDenied("The consent export is for managers and admins.")
        record_audit_entry(
            action=AuditAction.EXPORT, user=request.user, target_label="Consent records (CSV)", request=request
        )

        def rows():
            for record in consent_export_rows().iterator():
                person = record.recorded_by
                yield [
                    record.channel_user.channel,
                    f"+{record.channel_user.external_id}",
                    record.channel_user.display_name,
                    record.scope,
                    record.status,
                    record.method,
                    record.recorded_at.isoformat(),
                    (person.get_username() if person else ""),
                    record.note,
                    record.message_text,
                    record.language,
                ]

        response = StreamingHttpResponse(csv_lines(EXPORT_COLUMNS, rows()), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="consent-records.csv"'
        return response
