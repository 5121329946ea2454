"""Who may do what. Groups are created by a migration; customers are channel users and never log in."""

import operator
from functools import reduce

from django.apps import AppConfig, apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Q, QuerySet

ADMIN = "admin"
AGENT = "agent"
MANAGER = "manager"
ROLES = (ADMIN, AGENT, MANAGER)


def _in_group(user: AbstractBaseUser | AnonymousUser, *names: str) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name__in=names).exists()


def may_send_messages(user: AbstractBaseUser | AnonymousUser) -> bool:
    return _in_group(user, AGENT)


def may_supervise(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Managers and admins watch over the agents' work (the supervisor's live view): they move conversations
    between agents and queues, set an agent offline, whisper to an agent."""
    return _in_group(user, MANAGER, ADMIN)


def may_configure_channels(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Admins set up the channels' accounts (and fix them when their health says so)."""
    return _in_group(user, ADMIN) and user.is_staff


def may_view_interactions(user: AbstractBaseUser | AnonymousUser) -> bool:
    return _in_group(user, AGENT, MANAGER, ADMIN)


def may_write_internal_notes(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Agents note for colleagues; supervisors (managers and admins) leave notes and whispers for the agent."""
    return _in_group(user, AGENT, MANAGER, ADMIN)


SUPERVISOR = "supervisor"  # not a group: managers and admins, who oversee every conversation and agent


def viewing_role(user: AbstractBaseUser | AnonymousUser) -> str | None:
    """SUPERVISOR (sees everything), AGENT, or None for someone who may not view interactions: in one query, as
    every read asks it."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return SUPERVISOR
    names = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
    if names & {MANAGER, ADMIN}:
        return SUPERVISOR
    return AGENT if names else None


# What each role's group may do in the admin. Managers review every record; admins review and configure.
_REVIEW = [
    "interactions.view_interaction",
    "interactions.view_message",
    "interactions.view_channeluser",
    "interactions.view_notification",
    "interactions.view_messagetemplate",
    "consent.view_consentrecord",
    "consent.view_consenterasure",
    "consent.view_keywordlanguage",
    "customer_service.view_case",
    "properties.view_storedproperty",
]
ROLE_PERMISSIONS = {
    MANAGER: _REVIEW,
    ADMIN: [
        *_REVIEW,
        "consent.delete_consentrecord",
        "consent.add_keywordlanguage",
        "consent.change_keywordlanguage",
        "consent.delete_keywordlanguage",
        "consent.view_consentkeyword",
        "consent.add_consentkeyword",
        "consent.change_consentkeyword",
        "consent.delete_consentkeyword",
        "customer_service.add_case",
        "customer_service.change_case",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "audit.view_auditentry",
        "properties.change_storedproperty",
    ],
}


def add_role_permissions(role: str, *codes: str) -> None:
    """A channel adds what its own admin pages need, at start-up: the core names no channel's models."""
    ROLE_PERMISSIONS[role] = [*ROLE_PERMISSIONS[role], *(code for code in codes if code not in ROLE_PERMISSIONS[role])]


def grant_role_permissions(sender: AppConfig | None = None, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Run after every migrate (and every test flush), on the last app's post_migrate: each app's permissions exist
    only once its own has been sent. One transaction, one grant per role."""
    if sender is not None and sender is not _last_app_with_models():
        return
    with transaction.atomic(using=using):
        for role, codes in ROLE_PERMISSIONS.items():
            group, _ = Group.objects.using(using).get_or_create(name=role)
            wanted = [Q(content_type__app_label=code.split(".")[0], codename=code.split(".")[1]) for code in codes]
            if wanted:
                group.permissions.add(*Permission.objects.using(using).filter(reduce(operator.or_, wanted)))


def _last_app_with_models() -> AppConfig:
    """The app post_migrate is sent for last (Django sends it to each app with models, in this order)."""
    return [config for config in apps.get_app_configs() if config.models_module is not None][-1]


def may_send_notifications(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Outside systems call the notifications API with an agent's or an admin's token."""
    return _in_group(user, AGENT, ADMIN)


def may_export_consent(user: AbstractBaseUser | AnonymousUser) -> bool:
    return _in_group(user, MANAGER, ADMIN)


# Who may give whom which role. Only a superuser hands out what it does not hold itself: anyone else may pass on
# the groups and permissions it has, never the admin role, and may not touch a superuser or another admin's
# password. So no admin can make itself (or a friend) superuser, agent or a second admin.


def grantable_groups(actor: AbstractBaseUser) -> QuerySet[Group]:
    if actor.is_superuser:
        return Group.objects.all()
    return actor.groups.exclude(name=ADMIN)


def grantable_permissions(actor: AbstractBaseUser) -> QuerySet[Permission]:
    if actor.is_superuser:
        return Permission.objects.all()
    held = Q(pk__in=[])
    for code in actor.get_all_permissions():
        app_label, codename = code.split(".", 1)
        held |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(held)


def may_edit_user(actor: AbstractBaseUser, user: AbstractBaseUser) -> bool:
    """A superuser edits anyone; an admin edits itself and those who are neither superusers nor admins, so no admin
    can deactivate, demote or take over a peer (password included)."""
    if actor.is_superuser or actor.pk == user.pk:
        return True
    return not _in_group(user, ADMIN)  # superusers count as in every group


def users_editable_by(actor: AbstractBaseUser) -> QuerySet:
    """may_edit_user as a query, for a form's choices (a test holds the two to the same answers)."""
    users = get_user_model().objects.all()
    if actor.is_superuser:
        return users
    others = users.exclude(is_superuser=True).exclude(groups__name=ADMIN)
    return users.filter(Q(pk=actor.pk) | Q(pk__in=others.values("pk")))


def holds_a_role(user: AbstractBaseUser | AnonymousUser) -> bool:
    """An agent, manager, admin or superuser: someone the desk has work for."""
    return _in_group(user, *ROLES)


def role_holders() -> QuerySet:
    """holds_a_role as a query."""
    return get_user_model().objects.filter(Q(is_superuser=True) | Q(groups__name__in=ROLES)).distinct()
