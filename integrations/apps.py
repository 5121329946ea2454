from django.apps import AppConfig

# Admins only: managers and agents see nothing of the subscribers or their secrets.
ADMIN_PERMISSIONS = (
    *(f"integrations.{action}_subscription" for action in ("view", "add", "change", "delete")),
    "integrations.view_delivery",
    "integrations.change_delivery",  # "retry now"; every field stays read-only
)


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations (outbound webhooks)"

    def ready(self) -> None:
        from integrations import tasks, wiring  # noqa: F401  (tasks: registered with Celery)
        from integrations.retention import ERASURE_STEP, RETENTION_SWEEP
        from interactions.roles import ADMIN, add_role_permissions
        from retention.registry import register_erasure_step, register_retention_sweep

        wiring.connect()
        register_retention_sweep(RETENTION_SWEEP)
        register_erasure_step(ERASURE_STEP)
        add_role_permissions(ADMIN, *ADMIN_PERMISSIONS)
