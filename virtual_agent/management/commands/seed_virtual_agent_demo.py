"""Demo virtual agent: it answers first on every business number, and a routing rule sends its catalog hand-overs to
the Sales queue (open Monday to Friday, 9 to 17 New York time, so out of hours it says so and offers a case).
Idempotent; run after `seed_routing_demo`."""

from django.core.management.base import BaseCommand
from django.db import transaction

from routing.models import Queue, RoutingRule, RuleCondition
from virtual_agent.defaults import seed_defaults
from virtual_agent.models import BusinessNumberSetting, CommandLanguage, CommandWord, FrontDoorMode, Step, Topic


class Command(BaseCommand):
    help = "Switches the virtual agent on for every business number and routes its catalog hand-overs to Sales."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        seed_defaults(Topic, Step, CommandLanguage, CommandWord)
        BusinessNumberSetting.objects.update_or_create(account_id="", defaults={"mode": FrontDoorMode.ALWAYS})
        sales = Queue.objects.filter(key="sales").first()
        if sales is not None:
            RoutingRule.objects.update_or_create(
                name="Catalog requests from the virtual agent",
                defaults={"order": 5, "condition": RuleCondition.HANDOFF_TOPIC, "value": "catalog", "queue": sales,
                          "is_active": True},
            )  # fmt: skip
        self.stdout.write("demo virtual agent ready: it answers every new conversation first")
