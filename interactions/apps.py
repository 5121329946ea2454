from django.apps import AppConfig
from django.db.models.signals import post_migrate


class InteractionsConfig(AppConfig):
    name = "interactions"
    verbose_name = "Interactions"

    def ready(self) -> None:
        from interactions import timestamp_loader
        from interactions.roles import grant_role_permissions

        timestamp_loader.install()
        post_migrate.connect(grant_role_permissions, dispatch_uid="interactions.grant_role_permissions")
