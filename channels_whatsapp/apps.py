from django.apps import AppConfig


class WhatsAppConfig(AppConfig):
    name = "channels_whatsapp"
    verbose_name = "WhatsApp"

    def ready(self) -> None:
        from channels_whatsapp.outbound import CHANNEL, WhatsAppAdapter
        from interactions.channel_adapters import register_channel_adapter

        register_channel_adapter(CHANNEL, WhatsAppAdapter())
