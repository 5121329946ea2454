from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = "Consent"

    def ready(self) -> None:
        from consent.services import ERASURE_STEP
        from retention.registry import register_erasure_step

        register_erasure_step(ERASURE_STEP)
