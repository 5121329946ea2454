"""The API's own tokens: list them, make one (shown once), revoke one. Thin: validate, call security/api_tokens.py.

Making a token needs a session (a password, and a second factor where enrolled): a stolen token cannot make itself
a successor that outlives its revocation."""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interactions.api.schema import answers
from interactions.roles import holds_a_role
from security.api_tokens import (
    NO_ROLE,
    TokenRefused,
    create_api_token,
    refusal_of_owner,
    revoke_api_token,
    tokens_visible_to,
)
from security.models import ApiToken


class ApiTokenSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "username", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
        read_only_fields = fields


class NewApiTokenSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="What will use it, e.g. “CRM sync”")
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="When it stops working; by default API_TOKEN_DEFAULT_LIFETIME_DAYS"
    )
    user = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="Admins only: whose token it is (default: yours); never a superuser or another admin",
    )


class IssuedApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown this once: send it as `Authorization: Bearer …`")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class MayHoldTokens(IsAuthenticated):
    """Agents, managers and admins: the people the API serves. A user without a role has nothing to call it for."""

    message = NO_ROLE

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and holds_a_role(request.user)


class ApiTokens(ListAPIView):
    serializer_class = ApiTokenSerializer
    permission_classes = [MayHoldTokens]

    def get_queryset(self):
        return tokens_visible_to(self.request.user)

    @extend_schema(
        responses=answers({200: ApiTokenSerializer(many=True)}, 400), description="Your tokens (admins: everyone's)."
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=NewApiTokenSerializer,
        responses=answers({201: IssuedApiTokenSerializer}, 400),
        description="Makes a token and shows it this once; only its hash is kept. Needs a signed-in session.",
    )
    def post(self, request: Request) -> Response:
        if request.auth is not None:  # a session has none
            raise PermissionDenied("Sign in with your password to make a token; a token cannot make another.")
        asked = NewApiTokenSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        owner = request.user
        if asked.validated_data.get("user") not in (None, request.user.pk):
            owner = get_object_or_404(get_user_model(), pk=asked.validated_data["user"], is_active=True)
        refusal = refusal_of_owner(creator=request.user, owner=owner)
        if refusal:
            raise PermissionDenied(refusal)
        try:
            issued = create_api_token(
                user=owner,
                name=asked.validated_data["name"],
                expires_at=asked.validated_data.get("expires_at"),
                created_by=request.user,
            )
        except TokenRefused as refusal:
            raise ValidationError({"expires_at": [refusal.reason]}) from None
        body = {**ApiTokenSerializer(issued.token).data, "token": issued.key}
        return Response(body, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})


class RevokeApiToken(APIView):
    permission_classes = [MayHoldTokens]

    @extend_schema(request=None, responses=answers({200: ApiTokenSerializer}, 404), description="Stops it at once.")
    def post(self, request: Request, pk: int) -> Response:
        token = get_object_or_404(tokens_visible_to(request.user), pk=pk)
        if token.user_id != request.user.pk and not request.user.has_perm("security.change_apitoken"):
            raise PermissionDenied("Only admins revoke someone else's token.")
        return Response(ApiTokenSerializer(revoke_api_token(token=token, revoked_by=request.user)).data)
