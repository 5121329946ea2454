from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from audit import listeners
        from audit.admin_hook import audit_every_model_admin

        listeners.connect()
        audit_every_model_admin()
