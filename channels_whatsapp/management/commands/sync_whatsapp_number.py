"""Creates or updates the business number named by the WHATSAPP_* settings, so it is in the admin at once."""

from django.core.management.base import BaseCommand

from channels_whatsapp.connection import sync_business_number_from_settings


class Command(BaseCommand):
    help = "Creates or updates the default WhatsApp business number from the WHATSAPP_* settings."

    def handle(self, *args, **options) -> None:
        number = sync_business_number_from_settings(force=True)
        if number is None:
            self.stdout.write("WHATSAPP_PHONE_NUMBER_ID is not set: no business number from settings")
        else:
            self.stdout.write(f"business number {number} ({number.phone_number_id}) is configured")
