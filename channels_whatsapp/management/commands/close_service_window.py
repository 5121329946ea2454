"""Demo and manual-testing helper: a day passes for one customer, on both sides of the emulator.

Sets the customer's last message to 25 hours ago in the database and in the emulator, so the 24-hour window is
closed everywhere and only templates may be sent, as after a real day of silence.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from channels_whatsapp.emulator.client import EmulatorClient
from interactions.models import ChannelUser


class Command(BaseCommand):
    help = "Closes a customer's 24-hour window in the database and in the emulator (demo helper)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("wa_id", help="The customer's number, e.g. 4915112345678")
        parser.add_argument("--hours", type=float, default=25, help="How long ago the customer last wrote")
        parser.add_argument("--emulator-url", default=settings.WHATSAPP_GRAPH_API_URL)

    def handle(self, *args, wa_id: str, hours: float, emulator_url: str, **options) -> None:
        digits = "".join(c for c in wa_id if c.isdigit())
        last_wrote = timezone.now() - timedelta(hours=hours)
        if not ChannelUser.objects.filter(external_id=digits).update(last_inbound_at=last_wrote):
            raise CommandError(f"no customer with the number {digits}")
        emulator = EmulatorClient(emulator_url)
        if not emulator.is_healthy():
            raise CommandError(f"the emulator does not answer at {emulator_url}")
        emulator.set_customer(digits, last_inbound_at=last_wrote.timestamp())
        self.stdout.write(f"+{digits} last wrote {hours:g} h ago: the window is closed; reload the workspace")
