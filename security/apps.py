from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = "Security"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from security.two_factor import remember_verified_device

        user_logged_in.connect(remember_verified_device, dispatch_uid="security.remember_verified_device")
        from interactions.roles import ADMIN, add_role_permissions
        from security import schema  # noqa: F401 -- registers the token scheme with drf-spectacular

        add_role_permissions(
            ADMIN,
            "security.view_apitoken",
            "security.add_apitoken",
            "security.change_apitoken",
            "otp_totp.view_totpdevice",
            "otp_totp.delete_totpdevice",  # a lost phone: the admin removes the device, its owner enrols again
        )
