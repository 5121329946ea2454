"""Demo routing: queues (one by keyword, one for VIPs, one for German speakers, one with business hours and the
default), their rules, reject reasons, resolution codes, a supervisor, and the demo agents' capacity and skills.
Idempotent: run it as often as you like (after `seed_demo`, whose agents it puts in queues)."""

from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from rest_framework.authtoken.models import Token

from interactions.roles import MANAGER
from routing.models import (
    AgentProfile,
    Holiday,
    Presence,
    Queue,
    QueuePriority,
    RejectReason,
    ResolutionCode,
    RoutingRule,
    RuleCondition,
    Skill,
)

GERMAN = "German"
WAITING = "Thanks for your message! All our agents are busy right now; you are number {position} in line."

QUEUES = [
    {
        "key": "general",
        "name": "General",
        "is_default": True,
        "description": "Everything no rule sends elsewhere.",
        "waiting_message": WAITING,
        "waiting_message_interval_minutes": 2,
        "prefer_previous_agent": True,
        "transfer_message": "I'm passing you to a colleague who can help; they will be with you shortly.",
        "agents": ["agent1", "agent2"],
    },
    {
        "key": "billing",
        "name": "Billing",
        "priority": QueuePriority.HIGH,
        "description": "Invoices, payments and refunds.",
        "waiting_message": WAITING,
        "waiting_message_interval_minutes": 2,
        "transfer_message": "I'm passing you to our billing team; they will be with you shortly.",
        "agents": ["agent1"],
    },
    {
        "key": "vip",
        "name": "VIP customers",
        "priority": QueuePriority.CRITICAL,
        "description": "Customers whose profile says vip=true: served first.",
        "prefer_previous_agent": True,
        "agents": ["agent1", "agent2"],
    },
    {
        "key": "german",
        "name": "Deutsch",
        "description": "Customers whose language is German, served by agents with the German skill.",
        "waiting_message": "Danke für Ihre Nachricht! Gerade sind alle belegt; Sie sind Nummer {position} in der "
        "Warteschlange.",
        "transfer_message": "Ich verbinde Sie mit einem Kollegen, der Deutsch spricht.",
        "required_skills": [GERMAN],
        "agents": ["agent2"],
    },
    {
        "key": "sales",
        "name": "Sales",
        "description": "Prices and quotes; open Monday to Friday, 9:00 to 17:00 New York time.",
        "time_zone": "America/New_York",
        "business_hours": {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
        "out_of_hours_message": "Our sales team is available Monday to Friday, 9:00 to 17:00 New York time. "
        "We will get back to you as soon as we open.",
        "waiting_message": WAITING,
        "agents": ["agent2"],
    },
]
RULES = [
    # order, name, condition, attribute, value, queue key
    (10, "VIP customers", RuleCondition.CUSTOMER_ATTRIBUTE, "vip", "true", "vip"),
    (20, "German speakers", RuleCondition.LANGUAGE, "", "de", "german"),
    (30, "Billing questions", RuleCondition.KEYWORD, "", "invoice, bill, billing, payment, refund, charged, rechnung",
     "billing"),
    (40, "Sales enquiries", RuleCondition.KEYWORD, "", "price, prices, pricing, quote, discount, buy", "sales"),
]  # fmt: skip
REJECT_REASONS = ["Busy with another customer", "Needs another language", "Not my area", "Ending my shift"]
# Without them an agent who closes a chat could not give the wrap-up the desk asks for.
RESOLUTION_CODES = ["Resolved", "Refund issued", "Replacement sent", "Passed to another team", "No fault found"]
AGENT_SKILLS = {"agent1": [], "agent2": [GERMAN]}
SUPERVISOR = ("supervisor", "supervisor", "Sam", "Supervisor")


class Command(BaseCommand):
    help = (
        "Creates the demo queues, routing rules, reject reasons, resolution codes, a supervisor and the demo agents' "
        "profiles."
    )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        users = get_user_model().objects
        skills = {name: Skill.objects.get_or_create(name=name)[0] for name in {GERMAN}}
        Queue.objects.exclude(key="general").filter(is_default=True).update(is_default=False)
        for spec in QUEUES:
            spec = dict(spec)
            agents = users.filter(username__in=spec.pop("agents"))
            required = [skills[name] for name in spec.pop("required_skills", [])]
            queue, _ = Queue.objects.update_or_create(key=spec.pop("key"), defaults=spec)
            queue.agents.set(agents)
            queue.required_skills.set(required)
        sales = Queue.objects.get(key="sales")
        for year in (date.today().year, date.today().year + 1):
            Holiday.objects.get_or_create(queue=sales, date=date(year, 12, 25), defaults={"name": "Christmas Day"})
            Holiday.objects.get_or_create(queue=sales, date=date(year, 1, 1), defaults={"name": "New Year's Day"})
        for order, name, condition, attribute, value, queue_key in RULES:
            RoutingRule.objects.update_or_create(
                name=name,
                defaults={"order": order, "condition": condition, "attribute": attribute, "value": value,
                          "queue": Queue.objects.get(key=queue_key), "is_active": True},
            )  # fmt: skip
        for order, text in enumerate(REJECT_REASONS, start=1):
            RejectReason.objects.update_or_create(text=text, defaults={"order": order * 10, "is_active": True})
        for order, text in enumerate(RESOLUTION_CODES, start=1):
            ResolutionCode.objects.update_or_create(text=text, defaults={"order": order * 10, "is_active": True})
        for agent in users.filter(username__in=AGENT_SKILLS):
            # The demo's agents start available, so the first customer is offered at once; later runs keep theirs.
            profile, _ = AgentProfile.objects.get_or_create(user=agent, defaults={"presence": Presence.AVAILABLE})
            profile.skills.set([skills[name] for name in AGENT_SKILLS[agent.username]])
        self._seed_supervisor()
        self.stdout.write(
            f"demo routing ready: queues {', '.join(spec['key'] for spec in QUEUES)}; supervisor / supervisor"
        )

    def _seed_supervisor(self) -> None:
        username, password, first_name, last_name = SUPERVISOR
        supervisor, created = get_user_model().objects.get_or_create(username=username)
        if created:
            supervisor.set_password(password)
        supervisor.first_name, supervisor.last_name, supervisor.is_staff = first_name, last_name, True
        supervisor.save()
        supervisor.groups.add(Group.objects.get_or_create(name=MANAGER)[0])
        Token.objects.get_or_create(user=supervisor)
