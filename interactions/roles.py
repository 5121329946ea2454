"""Who may do what. Groups are created by a migration; customers are channel users and never log in."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

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


def may_view_interactions(user: AbstractBaseUser | AnonymousUser) -> bool:
    return _in_group(user, AGENT, MANAGER, ADMIN)


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
        "channels_whatsapp.view_businessnumber",
        "channels_whatsapp.add_businessnumber",
        "channels_whatsapp.change_businessnumber",
        "channels_whatsapp.view_webhookdelivery",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
    ],
}


def grant_role_permissions(**kwargs) -> None:
    """Run after every migrate: permissions only exist once their models' migrations have run."""
    from django.contrib.auth.models import Group, Permission

    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for code in codes:
            app_label, codename = code.split(".")
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is not None:
                group.permissions.add(permission)


def may_send_notifications(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Outside systems call the notifications API with an agent's or an admin's token."""
    return _in_group(user, AGENT, ADMIN)


def may_export_consent(user: AbstractBaseUser | AnonymousUser) -> bool:
    return _in_group(user, MANAGER, ADMIN)
