from django.apps import AppConfig


class WhatsAppConfig(AppConfig):
    name = "channels_whatsapp"
    verbose_name = "WhatsApp"

    def ready(self) -> None:
        from channels_whatsapp.health_panel import WhatsAppHealthSource
        from channels_whatsapp.outbound import CHANNEL, WhatsAppAdapter
        from channels_whatsapp.properties import PROPERTIES
        from channels_whatsapp.record_filters import filter_interaction_records_by_business_number
        from channels_whatsapp.retention import ERASURE_STEP, RETENTION_SWEEPS
        from interactions.channel_adapters import register_channel_adapter
        from interactions.channel_health import register_channel_health
        from interactions.roles import ADMIN, add_role_permissions
        from properties.registry import register_properties
        from retention.registry import register_erasure_step, register_retention_sweep

        register_channel_adapter(CHANNEL, WhatsAppAdapter())
        register_properties(*PROPERTIES)
        for sweep in RETENTION_SWEEPS:
            register_retention_sweep(sweep)
        register_erasure_step(ERASURE_STEP)
        register_channel_health(CHANNEL, WhatsAppHealthSource())
        filter_interaction_records_by_business_number()
        add_role_permissions(
            ADMIN,
            "channels_whatsapp.view_businessnumber",
            "channels_whatsapp.add_businessnumber",
            "channels_whatsapp.change_businessnumber",
            "channels_whatsapp.view_webhookdelivery",
            "channels_whatsapp.view_groupmessage",
        )
