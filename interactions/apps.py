from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate


class InteractionsConfig(AppConfig):
    name = "interactions"
    verbose_name = "Interactions"

    def ready(self) -> None:
        from interactions import timestamp_loader
        from interactions.encrypted_fields import check_encryption_keys, check_production_encryption_key
        from interactions.login_attempts import check_client_address_behind_proxy
        from interactions.properties import PROPERTIES
        from interactions.roles import grant_role_permissions
        from interactions.services.retention import ERASURE_STEP, RETENTION_SWEEPS
        from interactions.services.timeline import lock_channel_user
        from properties.registry import register_properties
        from retention.registry import register_customer_lock, register_erasure_step, register_retention_sweep

        register_properties(*PROPERTIES)
        timestamp_loader.install()
        checks.register(check_encryption_keys, checks.Tags.security)
        checks.register(check_production_encryption_key, checks.Tags.security, deploy=True)
        checks.register(check_client_address_behind_proxy, checks.Tags.security, deploy=True)
        post_migrate.connect(grant_role_permissions, dispatch_uid="interactions.grant_role_permissions")
        for sweep in RETENTION_SWEEPS:
            register_retention_sweep(sweep)
        register_erasure_step(ERASURE_STEP)
        register_customer_lock(lock_channel_user)
