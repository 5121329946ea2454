from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = "Security"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from interactions.roles import ADMIN, add_role_permissions
        from security import schema  # noqa: F401 -- registers the token scheme with drf-spectacular

        add_role_permissions(ADMIN, "security.view_apitoken", "security.add_apitoken", "security.change_apitoken")
