from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = "Retention and erasure"

    def ready(self) -> None:
        from audit.services import remove_audit_entries_before
        from properties.registry import register_properties
        from retention.periods import PROPERTIES
        from retention.registry import RetentionSweep, register_retention_sweep

        register_properties(*PROPERTIES)

        register_retention_sweep(
            RetentionSweep(name="audit_entries", period="audit_entries", remove_batch=remove_audit_entries_before)
        )
