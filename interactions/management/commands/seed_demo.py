"""Demo users, one per role (two agents). Idempotent: run it as often as you like."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from rest_framework.authtoken.models import Token

from interactions.roles import ADMIN, AGENT, MANAGER

DEMO_USERS = [
    # username, password, first name, role, is_staff, is_superuser
    ("admin", "admin", "Ada Admin", ADMIN, True, True),
    ("agent1", "agent1", "Alice Agent", AGENT, False, False),
    ("agent2", "agent2", "Bob Agent", AGENT, False, False),
    ("manager", "manager", "Mia Manager", MANAGER, True, False),
]


class Command(BaseCommand):
    help = "Creates the demo users (admin, two agents, a manager) with their roles and API tokens."

    def handle(self, *args, **options) -> None:
        user_model = get_user_model()
        for username, password, full_name, role, is_staff, is_superuser in DEMO_USERS:
            user, created = user_model.objects.get_or_create(username=username)
            if created:
                user.set_password(password)
            user.first_name, user.last_name = full_name.split(" ", 1)
            user.is_staff = is_staff
            user.is_superuser = is_superuser
            user.save()
            user.groups.add(Group.objects.get(name=role))
            Token.objects.get_or_create(user=user)
        self.stdout.write(f"demo users ready: {', '.join(u[0] for u in DEMO_USERS)}")
