"""Making, checking and revoking API tokens: the one place each of those happens (the API, the admin and the
authentication class call these). Creation and revocation are audit entries; a token is never logged or stored."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AuditAction
from audit.services import record_audit_entry
from interactions.roles import holds_a_role, may_edit_user, role_holders, users_editable_by
from security.models import ApiToken

TOKEN_PREFIX = "wdk_"  # recognisable in a leaked config file or a secret scanner's rules
LAST_USED_RESOLUTION = timedelta(minutes=1)  # at most one write a minute per token, not one per request


class TokenRefused(Exception):
    """A token that cannot be made as asked (an expiry in the past or too far ahead)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """The stored row and the token itself: the only time the token exists outside the client."""

    token: ApiToken
    key: str


def hash_of(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def default_expiry(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(days=settings.API_TOKEN_DEFAULT_LIFETIME_DAYS)


def refusal_of_expiry(expires_at: datetime, now: datetime | None = None) -> str | None:
    now = now or timezone.now()
    if expires_at <= now:
        return "The expiry must be in the future."
    if expires_at > now + timedelta(days=settings.API_TOKEN_MAX_LIFETIME_DAYS):
        return f"A token may live at most {settings.API_TOKEN_MAX_LIFETIME_DAYS} days."
    return None


NO_ROLE = "Only agents, managers and admins may have API tokens."
OTHERS_ONLY_BY_ADMINS = "Only admins make tokens for someone else."
NOT_A_PEER = "You may make tokens for yourself and for people who are neither superusers nor admins."


def refusal_of_owner(*, creator: AbstractBaseUser, owner: AbstractBaseUser) -> str | None:
    """Whose token the creator may make: a token signs its owner in, so making one for someone is taking over their
    account. Only for a role holder, and for someone else only by an admin who may edit that person (never a peer
    admin or a superuser, interactions/roles.py)."""
    if not owner.is_active or not holds_a_role(owner):
        return NO_ROLE
    if owner.pk == creator.pk:
        return None
    if not creator.has_perm("security.add_apitoken"):
        return OTHERS_ONLY_BY_ADMINS
    if not may_edit_user(creator, owner):
        return NOT_A_PEER
    return None


def possible_token_owners(creator: AbstractBaseUser) -> QuerySet:
    """refusal_of_owner as a query, for the admin form's choices: active role holders the creator may edit."""
    return role_holders().filter(is_active=True, pk__in=users_editable_by(creator).values("pk"))


@transaction.atomic
def create_api_token(
    *, user: AbstractBaseUser, name: str, expires_at: datetime | None, created_by: AbstractBaseUser | None
) -> IssuedToken:
    now = timezone.now()
    expires_at = expires_at or default_expiry(now)
    refusal = refusal_of_expiry(expires_at, now)
    if refusal:
        raise TokenRefused(refusal)
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or "API token",
        prefix=key[: len(TOKEN_PREFIX) + 6],
        key_hash=hash_of(key),
        expires_at=expires_at,
        created_by=created_by,
    )
    record_audit_entry(
        action=AuditAction.CONFIG_ADDED,
        target=token,
        user=created_by,
        details={"event": "API token created", "for": user.get_username(), "expires_at": expires_at.isoformat()},
    )
    return IssuedToken(token=token, key=key)


@transaction.atomic
def revoke_api_token(*, token: ApiToken, revoked_by: AbstractBaseUser | None) -> ApiToken:
    """Revoking twice changes nothing and records nothing the second time."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        record_audit_entry(
            action=AuditAction.CONFIG_CHANGED,
            target=locked,
            user=revoked_by,
            details={"event": "API token revoked", "for": locked.user.get_username()},
        )
    return locked


def usable_token(key: str) -> ApiToken | None:
    """The token this key is, if it is neither revoked nor expired and its user may still sign in."""
    if not key.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_of(key)).first()
    now = timezone.now()
    if token is None or token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def tokens_visible_to(user: AbstractBaseUser) -> QuerySet[ApiToken]:
    """Everyone sees their own tokens; whoever may change users (admins) sees everyone's."""
    tokens = ApiToken.objects.select_related("user").order_by("-created_at", "-pk")
    if user.has_perm("security.view_apitoken"):
        return tokens
    return tokens.filter(user=user)
