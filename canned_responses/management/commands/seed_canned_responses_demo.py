from django.core.management.base import BaseCommand

from canned_responses.demo_data import seed_canned_responses_demo


class Command(BaseCommand):
    help = "Seeds the demo's shared canned responses."

    def handle(self, *args, **options) -> None:
        seed_canned_responses_demo()
        self.stdout.write("canned responses ready")
