"""API v1: interactions and their messages. Thin: validate, call a service, serialize."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ParseError, PermissionDenied
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interactions.api.idempotency import idempotency_key, idempotency_parameter, marked_replayed
from interactions.api.parsing import StorableJSONField
from interactions.api.query import MAX_BIGINT, validated_query
from interactions.api.schema import answers
from interactions.models import CLOSED_STATES, OPEN_STATES, Interaction, InteractionState, Message
from interactions.roles import may_send_messages
from interactions.selectors import (
    CATCH_UP_LIMIT,
    MAX_TIMELINE_PAGE_SIZE,
    TIMELINE_PAGE_SIZE,
    interactions_visible_to,
    timeline_changes,
    timeline_page,
    with_newest_timeline_page,
    with_reply_facts,
)
from interactions.serializers import (
    InteractionDetailSerializer,
    InteractionSerializer,
    MessageSerializer,
    TimelineMessagesSerializer,
    timeline_message_data,
)
from interactions.services.lifecycle import close_interaction, mark_interaction_seen
from interactions.services.outbound import retry_failed_message, send_agent_reply
from interactions.services.rich_outbound import send_agent_rich_message


@extend_schema(exclude=True)
class NoSuchEndpoint(APIView):
    """Every method, so that a client learns the address is wrong rather than the method."""

    def http_method_not_allowed(self, request: Request, *args, **kwargs) -> Response:
        raise NotFound("There is no such API endpoint; see /api/docs/.")

    get = post = put = patch = delete = head = options = http_method_not_allowed


class InteractionListQuery(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=[*InteractionState.values, "open"],
        required=False,
        help_text="A state, or `open` for new, in progress and on hold",
    )
    wa_id = serializers.CharField(required=False, max_length=64, help_text="The customer's WhatsApp id")
    channel_user = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_BIGINT, help_text="The customer's id: all their conversations"
    )


class InteractionList(ListAPIView):
    serializer_class = InteractionSerializer

    @extend_schema(parameters=[InteractionListQuery], responses=answers({200: InteractionSerializer(many=True)}, 400))
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = validated_query(self.request, InteractionListQuery)
        queryset = with_reply_facts(interactions_visible_to(self.request.user))
        state = query.get("state")
        if state == "open":
            queryset = queryset.filter(state__in=OPEN_STATES)
        elif state:
            queryset = queryset.filter(state=state)
        if query.get("wa_id"):
            queryset = queryset.filter(channel_user__channel="whatsapp", channel_user__external_id=query["wa_id"])
        if query.get("channel_user"):
            queryset = queryset.filter(channel_user_id=query["channel_user"])
        return queryset


class InteractionDetail(RetrieveAPIView):
    """The interaction with its newest page of messages; `earlier` pages come from messages/?before=."""

    serializer_class = InteractionDetailSerializer

    @extend_schema(responses=answers({200: InteractionDetailSerializer}, 404))
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return with_reply_facts(interactions_visible_to(self.request.user))

    def get_object(self) -> Interaction:
        return with_newest_timeline_page(super().get_object())


def visible_interaction(request: Request, pk: int) -> Interaction:
    return get_object_or_404(interactions_visible_to(request.user), pk=pk)


class SendTextSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["text"], required=False, help_text="`text`, or leave it out")
    text = serializers.CharField(trim_whitespace=True, help_text="At most the channel's `text_limit` characters")
    reply_to = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_BIGINT, help_text="Quote this message (its id)"
    )


class SendRichMessageSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["location", "reaction", "interactive"])
    content = StorableJSONField(help_text="The kind's content; shapes in interactions/rich_content.py")
    reply_to = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_BIGINT,
        help_text="Quote this message; for a reaction, the message reacted to",
    )


class MessagesQuery(serializers.Serializer):
    after_revision = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_BIGINT,
        help_text="Catch up: the messages created or changed after this revision, "
        f"at most {CATCH_UP_LIMIT} at a time (`more` says whether to ask again)",
    )
    before = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_BIGINT,
        help_text="A page of the messages before this sequence (the `earlier` of the page you have)",
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_TIMELINE_PAGE_SIZE,
        help_text=f"Page size (default {TIMELINE_PAGE_SIZE})",
    )

    def validate(self, data: dict) -> dict:
        if "after_revision" in data and ("before" in data or "limit" in data):
            raise serializers.ValidationError({"after_revision": "Catching up takes no `before` or `limit`."})
        return data


class InteractionMessages(APIView):
    @extend_schema(
        parameters=[MessagesQuery],
        responses=answers({200: TimelineMessagesSerializer}, 400, 404),
        description="Without `after_revision`: the newest page of the timeline, or the page before `before`, "
        "with `earlier` to load the one before it (keyset paging on the message sequence).",
    )
    def get(self, request: Request, pk: int) -> Response:
        # The interaction (and its revision) is read before the messages: catching up after it misses nothing.
        interaction = visible_interaction(request, pk)
        query = validated_query(request, MessagesQuery)
        after = query.get("after_revision")
        if after is not None:
            changes = timeline_changes(interaction=interaction, after=after)
            answer = {"messages": changes.messages, "revision": changes.revision, "more": changes.more, "earlier": None}
        else:
            page = timeline_page(
                interaction=interaction, before=query.get("before"), size=query.get("limit", TIMELINE_PAGE_SIZE)
            )
            answer = {
                "messages": page.messages,
                "revision": interaction.revision,
                "more": False,
                "earlier": page.earlier,
            }
        return Response(TimelineMessagesSerializer(answer).data)

    @extend_schema(
        request=PolymorphicProxySerializer(
            component_name="SendMessage",
            serializers=[SendTextSerializer, SendRichMessageSerializer],
            resource_type_field_name=None,
        ),
        parameters=[idempotency_parameter(required=False)],
        responses=answers(
            {201: MessageSerializer, 200: OpenApiResponse(MessageSerializer, description="A retry: the message sent")},
            400,
            404,
            409,
            422,
        ),
        description="Text by default; `kind` location, reaction or interactive with its `content`. "
        "A refused rich message answers 400 with every `problems` at once. With an Idempotency-Key, a retry of a "
        "request that sent its message answers 200 with that message (and `Idempotent-Replayed: true`).",
    )
    def post(self, request: Request, pk: int) -> Response:
        started_at = timezone.now()
        if not may_send_messages(request.user):
            raise PermissionDenied("Only agents may send messages.")
        key = idempotency_key(request, required=False)
        try:
            interaction = visible_interaction(request, pk)
        except Http404:
            # A retry of their own message answers with it, though the conversation has since left their view.
            theirs = Message.objects.filter(author=request.user, idempotency_key=key, interaction_id=pk)
            if not (key and theirs.exists()):
                raise
            interaction = get_object_or_404(Interaction, pk=pk)
        if not isinstance(request.data, dict):
            raise ParseError("The body must be a JSON object.")
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
                idempotency_key=key,
            )
        else:
            message = send_agent_reply(
                interaction=interaction,
                author=request.user,
                text=fields["text"],
                reply_to_id=fields.get("reply_to"),
                idempotency_key=key,
            )
        if key and message.created_at < started_at:
            return marked_replayed(Response(timeline_message_data(message)))
        return Response(timeline_message_data(message), status=status.HTTP_201_CREATED)


class RetryMessage(APIView):
    @extend_schema(request=None, responses=answers({200: MessageSerializer}, 404, 409))
    def post(self, request: Request, pk: int, message_id: int) -> Response:
        interaction = visible_interaction(request, pk)
        if not may_send_messages(request.user):
            raise PermissionDenied("Only agents may send messages.")
        message = get_object_or_404(interaction.messages.all(), pk=message_id)
        message = retry_failed_message(message=message, by=request.user)
        return Response(timeline_message_data(message))


class CloseSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=CLOSED_STATES, default=InteractionState.CLOSED_COMPLETE)
    state_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why it closes (kept on the interaction); left out, the state's default reason",
    )


class CloseInteraction(APIView):
    @extend_schema(request=CloseSerializer, responses=answers({200: InteractionSerializer}, 400, 404, 409))
    def post(self, request: Request, pk: int) -> Response:
        interaction = visible_interaction(request, pk)
        if not may_send_messages(request.user):
            raise PermissionDenied("Only agents may close interactions.")
        body = CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        interaction = close_interaction(
            interaction=interaction,
            by=request.user,
            state=body.validated_data["state"],
            state_reason=body.validated_data["state_reason"],
        )
        return Response(InteractionSerializer(interaction).data)


class MarkInteractionSeen(APIView):
    @extend_schema(request=None, responses=answers({200: InteractionSerializer}, 404))
    def post(self, request: Request, pk: int) -> Response:
        interaction = visible_interaction(request, pk)
        if not may_send_messages(request.user):
            raise PermissionDenied("Only agents clear unread counts; managers read without changing them.")
        interaction = mark_interaction_seen(interaction=interaction, by=request.user)
        return Response(InteractionSerializer(interaction).data)
