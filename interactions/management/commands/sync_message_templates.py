"""Fetches every channel's message templates now (the beat task does it every 15 minutes)."""

from django.core.management.base import BaseCommand, CommandError

from interactions.channel_adapters import ChannelRequestFailed
from interactions.services.templates import sync_message_templates


class Command(BaseCommand):
    help = "Syncs the message templates of every business account from its channel."

    def handle(self, *args, **options) -> None:
        try:
            count = sync_message_templates()
        except ChannelRequestFailed as problem:
            raise CommandError(str(problem)) from problem
        self.stdout.write(f"synced {count} message template(s)")
