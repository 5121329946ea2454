from django.core.management.base import BaseCommand

from customer_service.demo_data import seed_customer_service_demo


class Command(BaseCommand):
    help = "Seeds the demo's knowledge articles, community answers, service catalog, accounts and contacts."

    def handle(self, *args, **options) -> None:
        seed_customer_service_demo()
        self.stdout.write("customer service demo data ready")
