"""`python manage.py whatsapp_emulator`: run the WhatsApp Cloud API emulator in the foreground."""

import json
import signal
import threading
from pathlib import Path

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

# Optional keys of a numbers-file entry: what `GET /{phone-number-id}` tells about the number.
_DESCRIPTION = ("verified_name", "quality_rating", "messaging_limit")


class Command(BaseCommand):
    help = "Plays Meta's WhatsApp Cloud API: Graph API, signed webhooks to the app, and a customer phone page."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8010)
        parser.add_argument("--webhook-url", default="http://127.0.0.1:8000/webhooks/whatsapp/")
        parser.add_argument("--messages-per-second", type=int, default=None)
        parser.add_argument("--webhook-workers", type=int, default=4, help="webhooks posted at once (Meta: many)")
        parser.add_argument(
            "--numbers-file",
            type=Path,
            help="a JSON list of further business numbers, each with the keys of the options below",
        )
        parser.add_argument(
            "--send-fault-rate",
            type=float,
            default=0.0,
            help="the share of sends (0 to 1) refused with a 429 + Retry-After, a 503 or 131056, like a busy Meta",
        )
        parser.add_argument(
            "--log-length", type=int, default=10_000, help="how many requests and webhook attempts to keep"
        )
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
            business_numbers=(BusinessNumber(**credentials), *_numbers_from(options["numbers_file"])),
            messages_per_second=options["messages_per_second"] or getattr(settings, "WHATSAPP_MESSAGES_PER_SECOND", 80),
            webhook_workers=options["webhook_workers"],
            log_length=options["log_length"],
        )
        try:
            server = EmulatorServer(config)
        except OSError as error:
            raise CommandError(f"cannot listen on {config.host}:{config.port}: {error}") from error
        try:
            server.network.update_faults({"send_fault_rate": options["send_fault_rate"]})
        except ValueError as error:
            raise CommandError(str(error)) from error
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


def _numbers_from(path: Path | None) -> list[BusinessNumber]:
    """Further numbers of the same app, as Meta's dashboard would list them."""
    if path is None:
        return []
    try:
        entries = json.loads(path.read_text())
        return [
            BusinessNumber(
                **{option: str(entry[option]) for option, _ in _CREDENTIALS},
                **{key: str(entry[key]) for key in _DESCRIPTION if key in entry},
            )
            for entry in entries
        ]
    except (OSError, ValueError, TypeError, KeyError) as error:
        raise CommandError(f"{path}: not a JSON list of business numbers ({error!r})") from error
