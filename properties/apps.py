from django.apps import AppConfig


class PropertiesConfig(AppConfig):
    name = "properties"
    verbose_name = "System properties"

    def ready(self) -> None:
        from properties.registry import register_properties
        from properties.retention import PROPERTIES

        register_properties(*PROPERTIES)
