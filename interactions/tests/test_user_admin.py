"""Users in the admin: an admin passes on only what it holds, never superuser or the admin role, and every role
change is written to the admin's history with what it was and what it became. Driven through the real pages."""

from datetime import UTC, datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils.timezone import localtime

from interactions.roles import ADMIN, AGENT, MANAGER
from tests.factories import UserFactory, agent

pytestmark = pytest.mark.django_db

User = get_user_model()
JOINED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # whole seconds, as the form posts it back


def admin_user(*extra_roles: str, **fields):
    user = UserFactory(role=ADMIN, is_staff=True, date_joined=JOINED, **fields)
    user.groups.add(*(Group.objects.get(name=role) for role in extra_roles))
    return user


def change_url(user) -> str:
    return f"/admin/auth/user/{user.pk}/change/"


def form_data(user, **changes) -> dict:
    """What the change form posts for the user as stored, with `changes` on top."""
    user.refresh_from_db()
    joined, last_login = localtime(user.date_joined), user.last_login and localtime(user.last_login)
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": joined.strftime("%Y-%m-%d"),  # the form's hidden copy of a field with a default
        "initial-date_joined_1": joined.strftime("%H:%M:%S"),
        "last_login_0": last_login.strftime("%Y-%m-%d") if last_login else "",
        "last_login_1": last_login.strftime("%H:%M:%S") if last_login else "",
        "groups": [group.pk for group in user.groups.all()],
        "user_permissions": [permission.pk for permission in user.user_permissions.all()],
        "_save": "Save",
    }
    data |= {flag: "on" for flag in ("is_active", "is_staff", "is_superuser") if getattr(user, flag)}
    return data | changes


def permission(code: str) -> Permission:
    app_label, codename = code.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def group_ids(*names: str) -> list[int]:
    return [Group.objects.get(name=name).pk for name in names]


def test_an_admin_cannot_make_itself_superuser(client):
    me = admin_user()
    client.force_login(me)

    response = client.post(change_url(me), form_data(me, is_superuser="on", first_name="Mallory"))

    assert response.status_code == 302
    me.refresh_from_db()
    assert (me.first_name, me.is_superuser) == ("Mallory", False)
    assert 'name="is_superuser"' not in client.get(change_url(me)).content.decode()


@pytest.mark.parametrize("role", [AGENT, ADMIN, MANAGER])
def test_an_admin_cannot_give_a_role_it_does_not_hold_or_the_admin_role(client, role):
    me = admin_user()
    colleague = UserFactory(is_staff=True, date_joined=JOINED)
    client.force_login(me)

    response = client.post(change_url(colleague), form_data(colleague, groups=group_ids(role)))

    assert response.status_code == 200  # the form again, with the refusal
    assert "Select a valid choice" in response.content.decode()
    assert not colleague.groups.exists()


def test_an_admin_cannot_make_itself_agent(client):
    me = admin_user()
    client.force_login(me)

    response = client.post(change_url(me), form_data(me, groups=group_ids(ADMIN, AGENT)))

    assert "Select a valid choice" in response.content.decode()
    assert list(me.groups.values_list("name", flat=True)) == [ADMIN]


def test_an_admin_passes_on_a_role_it_holds_and_the_history_says_so(client):
    me = admin_user(MANAGER)
    newcomer = UserFactory(date_joined=JOINED)
    client.force_login(me)

    response = client.post(change_url(newcomer), form_data(newcomer, groups=group_ids(MANAGER), is_staff="on"))

    assert response.status_code == 302
    assert list(newcomer.groups.values_list("name", flat=True)) == [MANAGER]
    entry = LogEntry.objects.get(object_id=str(newcomer.pk))
    assert (entry.user, entry.action_flag) == (me, 2)
    assert entry.get_change_message() == "Changed Staff status: no → yes and Groups: +manager."


def test_an_admin_can_neither_grant_nor_take_away_a_role_it_does_not_hold(client):
    me = admin_user()
    helper = agent(date_joined=JOINED)
    client.force_login(me)

    response = client.post(change_url(helper), form_data(helper, groups=[], first_name="Sam"))

    assert response.status_code == 302
    helper.refresh_from_db()
    assert helper.first_name == "Sam"
    assert list(helper.groups.values_list("name", flat=True)) == [AGENT]


def test_an_admin_grants_only_permissions_it_holds(client):
    me = admin_user()
    colleague = UserFactory(is_staff=True, date_joined=JOINED)
    client.force_login(me)
    held, not_held = permission("interactions.view_interaction"), permission("auth.delete_user")

    refused = client.post(change_url(colleague), form_data(colleague, user_permissions=[held.pk, not_held.pk]))
    granted = client.post(change_url(colleague), form_data(colleague, user_permissions=[held.pk]))

    assert "Select a valid choice" in refused.content.decode()
    assert granted.status_code == 302
    assert list(colleague.user_permissions.all()) == [held]
    assert "User permissions: +Interactions | interaction | Can view interaction" in (
        LogEntry.objects.get(object_id=str(colleague.pk)).get_change_message()
    )


def test_an_admin_cannot_change_a_superuser(client):
    root = User.objects.create_superuser("root", "root@example.com", "pw", date_joined=JOINED)
    client.force_login(admin_user())

    response = client.post(change_url(root), form_data(root, is_active="", first_name="Owned"))
    password = client.post(f"/admin/auth/user/{root.pk}/password/", {"password1": "x9!kQ2#v", "password2": "x9!kQ2#v"})

    assert (response.status_code, password.status_code) == (403, 403)
    root.refresh_from_db()
    assert (root.is_active, root.first_name, root.check_password("pw")) == (True, "", True)


def test_an_admin_cannot_deactivate_or_change_another_admin(client):
    peer = admin_user(first_name="Pat")
    client.force_login(admin_user())

    response = client.post(change_url(peer), form_data(peer, is_active="", first_name="Locked out"))

    assert response.status_code == 403
    peer.refresh_from_db()
    assert (peer.is_active, peer.first_name) == (True, "Pat")
    assert 'name="is_active"' not in client.get(change_url(peer)).content.decode()  # shown, read-only


def test_an_admin_resets_an_agents_password_but_not_another_admins(client):
    other_admin, helper = admin_user(), agent(date_joined=JOINED)
    client.force_login(admin_user())
    new_password = {"password1": "x9!kQ2#vLong", "password2": "x9!kQ2#vLong"}

    refused = client.post(f"/admin/auth/user/{other_admin.pk}/password/", new_password)
    reset = client.post(f"/admin/auth/user/{helper.pk}/password/", new_password)

    assert (refused.status_code, reset.status_code) == (403, 302)
    other_admin.refresh_from_db()
    helper.refresh_from_db()
    assert (other_admin.check_password("password"), helper.check_password("x9!kQ2#vLong")) == (True, True)
    assert LogEntry.objects.get(object_id=str(helper.pk)).get_change_message() == "Changed password."


def test_a_superuser_may_make_a_superuser_and_the_history_says_so(client):
    root = User.objects.create_superuser("root", "root@example.com", "pw", date_joined=JOINED)
    me = admin_user()
    client.force_login(root)

    response = client.post(change_url(me), form_data(me, is_superuser="on", groups=group_ids(ADMIN, AGENT)))

    assert response.status_code == 302
    me.refresh_from_db()
    assert me.is_superuser
    assert LogEntry.objects.get(object_id=str(me.pk)).get_change_message() == (
        "Changed Superuser status: no → yes and Groups: +agent."
    )
