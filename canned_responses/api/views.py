"""API v1 for the composer's `/` menu: canned responses filled in for a conversation, an agent's own responses,
and quick actions. Thin: find what the user may see, validate, call a service or selector, serialize."""

from django.core.exceptions import ValidationError as ModelValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from canned_responses.api.serializers import (
    CannedResponseMenuSerializer,
    CannedResponseQuery,
    CannedResponseSerializer,
    PlaceholderSerializer,
    QuickActionSerializer,
)
from canned_responses.models import CannedResponse
from canned_responses.placeholders import PLACEHOLDERS, fill_placeholders
from canned_responses.quick_actions import QUICK_ACTIONS, run_quick_action
from canned_responses.selectors import canned_responses_for, canned_responses_of, placeholder_values
from canned_responses.services import save_own_canned_response
from interactions.api.idempotency import idempotency_key, idempotency_parameter, marked_replayed
from interactions.api.query import validated_query
from interactions.api.schema import answers
from interactions.api.views import visible_interaction
from interactions.roles import may_send_messages
from interactions.serializers import MessageSerializer, timeline_message_data


def _agents_only(request: Request, what: str) -> None:
    if not may_send_messages(request.user):
        raise PermissionDenied(f"Only agents may {what}.")


def _saved(**kwargs) -> CannedResponse:
    try:
        return save_own_canned_response(**kwargs)
    except ModelValidationError as invalid:
        raise serializers.ValidationError(invalid.message_dict) from None


class InteractionCannedResponses(APIView):
    @extend_schema(
        parameters=[CannedResponseQuery],
        responses=answers({200: CannedResponseMenuSerializer}, 400, 404),
        description="The shared canned responses and the agent's own for this conversation's customer (their "
        "language's and those for any language), best first, each filled in: `text` is ready to edit and send, "
        "except for the `missing` placeholders, left as {name}.",
    )
    def get(self, request: Request, pk: int) -> Response:
        interaction = visible_interaction(request, pk)
        query = validated_query(request, CannedResponseQuery)
        values = placeholder_values(interaction=interaction, agent=request.user)
        responses = []
        for response in canned_responses_for(
            agent=request.user, language=interaction.channel_user.language, query=query.get("q", "")
        ):
            filled = fill_placeholders(response.body, values)
            responses.append(
                {**CannedResponseSerializer(response).data, "text": filled.text, "missing": filled.missing}
            )
        return Response(CannedResponseMenuSerializer({"responses": responses, "placeholders": _placeholders()}).data)


def _placeholders() -> list[dict[str, str]]:
    return [{"name": name, "description": text} for name, text in PLACEHOLDERS.items()]


class Placeholders(APIView):
    @extend_schema(
        responses=answers({200: PlaceholderSerializer(many=True)}),
        description="Every placeholder a canned response's body may hold, for the form that writes one.",
    )
    def get(self, request: Request) -> Response:
        return Response(PlaceholderSerializer(_placeholders(), many=True).data)


class OwnCannedResponses(APIView):
    @extend_schema(responses=answers({200: CannedResponseSerializer(many=True)}))
    def get(self, request: Request) -> Response:
        _agents_only(request, "keep canned responses")
        return Response(CannedResponseSerializer(canned_responses_of(request.user), many=True).data)

    @extend_schema(request=CannedResponseSerializer, responses=answers({201: CannedResponseSerializer}, 400))
    def post(self, request: Request) -> Response:
        _agents_only(request, "keep canned responses")
        body = CannedResponseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        response = _saved(owner=request.user, **body.validated_data)
        return Response(CannedResponseSerializer(response).data, status=status.HTTP_201_CREATED)


class OwnCannedResponse(APIView):
    def _own(self, request: Request, pk: int) -> CannedResponse:
        _agents_only(request, "keep canned responses")
        response = get_object_or_404(canned_responses_of(request.user), pk=pk)
        if response.shared:
            raise PermissionDenied("Shared canned responses are the admins'; they change them in the admin.")
        return response

    @extend_schema(responses=answers({200: CannedResponseSerializer}, 404))
    def get(self, request: Request, pk: int) -> Response:
        _agents_only(request, "keep canned responses")
        return Response(CannedResponseSerializer(get_object_or_404(canned_responses_of(request.user), pk=pk)).data)

    @extend_schema(request=CannedResponseSerializer, responses=answers({200: CannedResponseSerializer}, 400, 404))
    def put(self, request: Request, pk: int) -> Response:
        return self._change(request, pk, partial=False)

    @extend_schema(request=CannedResponseSerializer, responses=answers({200: CannedResponseSerializer}, 400, 404))
    def patch(self, request: Request, pk: int) -> Response:
        return self._change(request, pk, partial=True)

    @extend_schema(request=None, responses=answers({204: None}, 404))
    def delete(self, request: Request, pk: int) -> Response:
        self._own(request, pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _change(self, request: Request, pk: int, *, partial: bool) -> Response:
        response = self._own(request, pk)
        body = CannedResponseSerializer(response, data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        response = _saved(owner=request.user, response=response, **body.validated_data)
        return Response(CannedResponseSerializer(response).data)


class InteractionQuickActions(APIView):
    @extend_schema(responses=answers({200: QuickActionSerializer(many=True)}, 404))
    def get(self, request: Request, pk: int) -> Response:
        visible_interaction(request, pk)
        actions = [{"key": a.key, "title": a.title, "description": a.description} for a in QUICK_ACTIONS.values()]
        return Response(QuickActionSerializer(actions, many=True).data)


class RunQuickAction(APIView):
    @extend_schema(
        request=None,
        parameters=[idempotency_parameter(required=False)],
        responses=answers(
            {201: MessageSerializer, 200: OpenApiResponse(MessageSerializer, description="A retry: the message sent")},
            404,
            409,
            422,
        ),
        description="Runs a quick action in the conversation: the message it sent, or 409 with why it could not "
        "(the window, an opt-out, no case to report on). With an Idempotency-Key, a retry of a request that ran it "
        "answers 200 with the message it sent (and `Idempotent-Replayed: true`) and sends nothing more; the same key "
        "sent for another action or message answers 422.",
    )
    def post(self, request: Request, pk: int, key: str) -> Response:
        interaction = visible_interaction(request, pk)
        _agents_only(request, "run quick actions")
        request_key = idempotency_key(request, required=False)
        action = QUICK_ACTIONS.get(key)
        if action is None:
            raise NotFound(f"There is no quick action {key!r}.")
        run = run_quick_action(action=action, interaction=interaction, agent=request.user, idempotency_key=request_key)
        if run.replayed:
            return marked_replayed(Response(timeline_message_data(run.message)))
        return Response(timeline_message_data(run.message), status=status.HTTP_201_CREATED)
