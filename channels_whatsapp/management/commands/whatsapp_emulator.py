"""`python manage.py whatsapp_emulator`: run the WhatsApp Cloud API emulator in the foreground."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from channels_whatsapp.emulator.config import BusinessNumber, EmulatorConfig
from channels_whatsapp.emulator.server import EmulatorServer

_CREDENTIALS = (
    ("phone_number_id", "WHATSAPP_PHONE_NUMBER_ID"),
    ("display_phone_number", "WHATSAPP_DISPLAY_PHONE_NUMBER"),
    ("waba_id", "WHATSAPP_WABA_ID"),
    ("access_token", "WHATSAPP_ACCESS_TOKEN"),
    ("app_secret", "WHATSAPP_APP_SECRET"),
)


class Command(BaseCommand):
    help = "Plays Meta's WhatsApp Cloud API: Graph API, signed webhooks to the app, and a customer phone page."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8010)
        parser.add_argument("--webhook-url", default="http://127.0.0.1:8000/webhooks/whatsapp/")
        parser.add_argument("--messages-per-second", type=int, default=None)
        parser.add_argument("--webhook-workers", type=int, default=4, help="webhooks posted at once (Meta: many)")
        for option, setting in _CREDENTIALS:
            parser.add_argument(
                "--" + option.replace("_", "-"), dest=option, default=None, help=f"default: settings.{setting}"
            )

    def handle(self, *args, **options) -> None:
        credentials = {option: options[option] or getattr(settings, setting, "") for option, setting in _CREDENTIALS}
        missing = [setting for option, setting in _CREDENTIALS if not credentials[option]]
        if missing:
            raise CommandError(f"set {', '.join(missing)} or pass the matching --options")
        config = EmulatorConfig(
            host=options["host"],
            port=options["port"],
            webhook_url=options["webhook_url"],
            business_numbers=(BusinessNumber(**credentials),),
            messages_per_second=options["messages_per_second"] or getattr(settings, "WHATSAPP_MESSAGES_PER_SECOND", 80),
            webhook_workers=options["webhook_workers"],
        )
        try:
            server = EmulatorServer(config)
        except OSError as error:
            raise CommandError(f"cannot listen on {config.host}:{config.port}: {error}") from error
        stopping = threading.Event()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signal_number, lambda *_: stopping.set())
        server.start()
        self.stdout.write(
            f"WhatsApp Cloud API emulator on {server.url} (phone page {server.url}/), webhooks to {config.webhook_url}"
        )
        self.stdout.flush()
        while not stopping.wait(timeout=1):
            pass  # a short wait keeps the main thread responsive to signals
        server.stop()
        self.stdout.write("WhatsApp Cloud API emulator stopped")
