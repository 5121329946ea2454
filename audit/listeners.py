"""What Django itself announces: sign-ins, sign-outs and failed sign-ins, and every change to a user's roles and
permissions, whichever code makes it (the admin, a shell, a migration)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, pre_save

from audit.models import AuditAction
from audit.services import SECRET_CHANGED, record_audit_entry

_FLAGS = ("is_active", "is_staff", "is_superuser")


def _signed_in(sender, request, user, **kwargs) -> None:
    record_audit_entry(action=AuditAction.LOGIN, user=user, target=user, request=request)


def _signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record_audit_entry(action=AuditAction.LOGOUT, user=user, target=user, request=request)


def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    """Nobody is signed in: the entry names the username tried, and the account if there is one."""
    User = get_user_model()
    username = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")
    account = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    record_audit_entry(action=AuditAction.LOGIN_FAILED, target=account, target_label=username, request=request)


def _user_flags_or_password_changing(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    watched = {*_FLAGS, "password"}
    if raw or instance.pk is None or (update_fields is not None and not watched & set(update_fields)):
        return  # a fixture loaded, a new user (its roles come next, through groups), or other fields (last_login)
    before = sender._default_manager.filter(pk=instance.pk).values(*watched).first()
    if before is None:
        return
    flags = {
        name: (before[name], getattr(instance, name)) for name in _FLAGS if before[name] != getattr(instance, name)
    }
    if flags:
        record_audit_entry(action=AuditAction.ROLE_CHANGED, target=instance, changes=flags)
    if before["password"] != instance.password:
        record_audit_entry(action=AuditAction.PASSWORD_CHANGED, target=instance, details={"password": SECRET_CHANGED})


_removed_on_clear: dict[tuple[type, int], list[str]] = {}


def _grants_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """One entry per user or group whose grants changed, also when the change is made from the other side
    (`group.user_set.add(user)`)."""
    User = get_user_model()
    field = {
        User.groups.through: ("groups", AuditAction.ROLE_CHANGED),
        User.user_permissions.through: ("user_permissions", AuditAction.PERMISSION_CHANGED),
        Group.permissions.through: ("permissions", AuditAction.PERMISSION_CHANGED),
    }.get(sender)
    if field is None:
        return
    name, audit_action = field
    if action == "pre_clear" and not reverse:  # (a clear from the other side names nobody: it is not recorded)
        _removed_on_clear[(type(instance), instance.pk)] = [str(item) for item in getattr(instance, name).all()]
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # from the group's or the permission's side: instance is the group, pk_set the users or groups
        for owner in model._default_manager.filter(pk__in=pk_set or ()):
            _record_grants(owner, name, audit_action, action, [str(instance)])
        return
    if action == "post_clear":
        items = _removed_on_clear.pop((type(instance), instance.pk), [])
    else:
        related = Group if name == "groups" else Permission
        items = [str(item) for item in related._default_manager.filter(pk__in=pk_set or ())]
    _record_grants(instance, name, audit_action, action, items)


def _record_grants(owner, name: str, audit_action: AuditAction, action: str, items: list[str]) -> None:
    if not items:
        return  # Django announces an add of what was already held with an empty set
    key = "added" if action == "post_add" else "removed"
    record_audit_entry(action=audit_action, target=owner, details={name: {key: sorted(items)}})


def connect() -> None:
    User = get_user_model()
    user_logged_in.connect(_signed_in, dispatch_uid="audit.signed_in")
    user_logged_out.connect(_signed_out, dispatch_uid="audit.signed_out")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="audit.sign_in_failed")
    pre_save.connect(_user_flags_or_password_changing, sender=User, dispatch_uid="audit.user_flags")
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_grants_changed, sender=through, dispatch_uid=f"audit.grants.{through.__name__}")
