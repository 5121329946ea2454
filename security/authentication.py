"""`Authorization: Bearer wdk_…`: the API's authentication by API token (security/api_tokens.py), and DRF's older
`Authorization: Token …`. Both refuse an admin who has not enrolled while TWO_FACTOR_REQUIRED_FOR_ADMINS asks them
to: the second-factor middleware sees only the session, so a token would otherwise walk past it."""

from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, TokenAuthentication, get_authorization_header

from security.api_tokens import usable_token
from security.two_factor import lacks_required_second_factor


def refuse_without_required_second_factor(user: AbstractBaseUser) -> None:
    if lacks_required_second_factor(user):
        raise exceptions.PermissionDenied(
            "This token's user is an admin without two-factor sign-in, which this desk requires: sign in and turn "
            f"it on at {reverse('two-factor')}, then the token works."
        )


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None  # not ours: the next class may know the header
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the header as “Authorization: Bearer <token>”.")
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        token = usable_token(key)
        if token is None:
            raise exceptions.AuthenticationFailed("The token is not valid, has expired or was revoked.")
        refuse_without_required_second_factor(token.user)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class LegacyTokenAuthentication(TokenAuthentication):
    """DRF's `Authorization: Token <key>`, kept for existing integrations, under the same second-factor rule."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        refuse_without_required_second_factor(user)
        return user, token
