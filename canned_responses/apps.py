from django.apps import AppConfig


class CannedResponsesConfig(AppConfig):
    name = "canned_responses"
    verbose_name = "Canned responses"

    def ready(self) -> None:
        from interactions.roles import ADMIN, MANAGER, add_role_permissions

        model = "canned_responses.{}_cannedresponse"
        add_role_permissions(MANAGER, model.format("view"))
        add_role_permissions(ADMIN, *(model.format(action) for action in ("view", "add", "change", "delete")))
