"""Routing's API for agents: their presence, capacity and load, their offers, the reasons to reject one, and the
agents a conversation can go to. Thin: validate, call a service, serialize."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interactions.api.schema import answers
from interactions.roles import AGENT, may_send_messages, may_view_interactions
from interactions.selectors import interactions_visible_to, with_newest_timeline_page, with_reply_facts
from interactions.serializers import InteractionDetailSerializer
from routing.configuration import routing_configuration
from routing.live import AgentPresence
from routing.models import (
    AgentProfile,
    Presence,
    RejectReason,
    WorkItem,
    WorkItemEvent,
    WorkItemEventKind,
    WorkItemState,
)
from routing.policies.capacity import capacity_of, with_usage
from routing.serializers import OfferSerializer, PresenceSerializer, offers_data
from routing.services.assignment import accept_offer, reject_offer
from routing.services.presence import presence_of, set_presence


def _agent(request: Request) -> AbstractBaseUser:
    if not may_send_messages(request.user):
        raise PermissionDenied("Only agents have a presence and receive offers.")
    return request.user


class MeSerializer(serializers.Serializer):
    presence = serializers.ChoiceField(choices=Presence.choices)
    away_reason = serializers.CharField(allow_blank=True)
    presence_changed_at = serializers.DateTimeField()
    capacity = serializers.IntegerField(help_text="Conversations at once")
    load = serializers.IntegerField(help_text="Conversations held now, as capacity counts them")


def _me(agent: AbstractBaseUser) -> dict:
    profile = AgentProfile.objects.filter(user=agent).first() or AgentProfile(user=agent)  # offline until set
    profile.user = agent
    return _as_me(presence_of(profile))


def _as_me(shown: AgentPresence) -> dict:
    return MeSerializer(
        {
            "presence": shown["presence"],
            "away_reason": shown["away_reason"],
            "presence_changed_at": shown["since"],
            "capacity": shown["capacity"],
            "load": shown["load"],
        }
    ).data


class Me(APIView):
    @extend_schema(responses=answers({200: MeSerializer}))
    def get(self, request: Request) -> Response:
        return Response(_me(_agent(request)))


class MyPresence(APIView):
    @extend_schema(request=PresenceSerializer, responses=answers({200: MeSerializer}, 400))
    def post(self, request: Request) -> Response:
        agent = _agent(request)
        body = PresenceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        shown = set_presence(
            agent=agent,
            presence=body.validated_data["presence"],
            away_reason=body.validated_data.get("away_reason", ""),
            by=agent,
        )
        return Response(_as_me(shown))


class Offers(APIView):
    @extend_schema(responses=answers({200: OfferSerializer(many=True)}))
    def get(self, request: Request) -> Response:
        items = (
            WorkItem.objects.filter(state=WorkItemState.OFFERED, offered_to=_agent(request))
            .select_related("queue", "interaction__channel_user")
            .order_by("offered_at", "pk")
        )
        return Response(offers_data(list(items)))


def _offer_of(request: Request, pk: int) -> WorkItem:
    """A work item offered to this agent now or before (so a late answer hears why it is too late, not 404)."""
    agent = _agent(request)
    offered_to_them = WorkItemEvent.objects.filter(
        work_item=OuterRef("pk"), agent=agent, kind=WorkItemEventKind.OFFERED
    )
    return get_object_or_404(WorkItem.objects.filter(Q(offered_to=agent) | Exists(offered_to_them)), pk=pk)


class AcceptOffer(APIView):
    @extend_schema(
        request=None,
        responses=answers({200: InteractionDetailSerializer}, 404, 409),
        description="The conversation becomes yours, with its newest page of messages. 409 when the offer expired, "
        "was withdrawn or another agent took it; `detail` says which.",
    )
    def post(self, request: Request, pk: int) -> Response:
        interaction = accept_offer(work_item=_offer_of(request, pk), agent=request.user)
        readable = with_reply_facts(interactions_visible_to(request.user)).get(pk=interaction.pk)
        return Response(InteractionDetailSerializer(with_newest_timeline_page(readable)).data)


class RejectSerializer(serializers.Serializer):
    reason = serializers.PrimaryKeyRelatedField(
        queryset=RejectReason.objects.filter(is_active=True),
        help_text="The id of one of reject-reasons/",
        error_messages={"does_not_exist": "{pk_value} is not one of the reasons in reject-reasons/."},
    )


class RejectOffer(APIView):
    @extend_schema(request=RejectSerializer, responses=answers({204: None}, 400, 404, 409))
    def post(self, request: Request, pk: int) -> Response:
        item = _offer_of(request, pk)
        body = RejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reject_offer(work_item=item, agent=request.user, reason=body.validated_data["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class RejectReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = RejectReason
        fields = ["id", "text"]


class RejectReasons(APIView):
    @extend_schema(responses=answers({200: RejectReasonSerializer(many=True)}))
    def get(self, request: Request) -> Response:
        _agent(request)
        return Response(RejectReasonSerializer(RejectReason.objects.filter(is_active=True), many=True).data)


class AgentPresenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    presence = serializers.ChoiceField(choices=Presence.choices)
    away_reason = serializers.CharField(allow_blank=True)
    since = serializers.DateTimeField(allow_null=True, help_text="In this presence since; null if never set")
    load = serializers.IntegerField()
    capacity = serializers.IntegerField()


class Agents(APIView):
    @extend_schema(
        responses=answers({200: AgentPresenceSerializer(many=True)}),
        description="Every active agent with their presence, load and capacity (the transfer picker).",
    )
    def get(self, request: Request) -> Response:
        if not may_view_interactions(request.user):
            raise PermissionDenied("Only agents and managers see the desk's agents.")
        configuration = routing_configuration()
        agents = with_usage(
            get_user_model().objects.filter(is_active=True, groups__name=AGENT), configuration=configuration
        ).order_by("first_name", "last_name", "username")
        rows = agents.values(
            "pk",
            "first_name",
            "last_name",
            "username",
            "load",
            "routing_profile__presence",
            "routing_profile__away_reason",
            "routing_profile__presence_changed_at",
            "routing_profile__capacity",
        )
        return Response(
            AgentPresenceSerializer(
                [
                    {
                        "id": row["pk"],
                        "name": f"{row['first_name']} {row['last_name']}".strip() or row["username"],
                        "presence": row["routing_profile__presence"] or Presence.OFFLINE,
                        "away_reason": row["routing_profile__away_reason"] or "",
                        "since": row["routing_profile__presence_changed_at"],
                        "load": row["load"],
                        "capacity": capacity_of(row["routing_profile__capacity"], configuration),
                    }
                    for row in rows
                ],
                many=True,
            ).data
        )
