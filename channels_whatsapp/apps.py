from django.apps import AppConfig


class WhatsAppConfig(AppConfig):
    name = "channels_whatsapp"
    verbose_name = "WhatsApp"

    def ready(self) -> None:
        from channels_whatsapp.outbound import CHANNEL, WhatsAppAdapter
        from channels_whatsapp.record_filters import filter_interaction_records_by_business_number
        from interactions.channel_adapters import register_channel_adapter
        from interactions.roles import ADMIN, add_role_permissions

        register_channel_adapter(CHANNEL, WhatsAppAdapter())
        filter_interaction_records_by_business_number()
        add_role_permissions(
            ADMIN,
            "channels_whatsapp.view_businessnumber",
            "channels_whatsapp.add_businessnumber",
            "channels_whatsapp.change_businessnumber",
            "channels_whatsapp.view_webhookdelivery",
            "channels_whatsapp.view_groupmessage",
        )
