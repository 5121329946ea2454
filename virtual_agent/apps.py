from django.apps import AppConfig


class VirtualAgentConfig(AppConfig):
    name = "virtual_agent"
    verbose_name = "Virtual agent"

    def ready(self) -> None:
        from interactions.responders import AutomatedResponder, register_automated_responder
        from interactions.roles import ADMIN, MANAGER, add_role_permissions
        from interactions.services.listeners import register_inbound_listener
        from properties.registry import register_properties
        from virtual_agent import tasks  # noqa: F401  (registers its tasks with Celery)
        from virtual_agent.engine import answer_customer
        from virtual_agent.front_door import LABEL, VIRTUAL_AGENT, takes_conversation, wants
        from virtual_agent.properties import ENABLED

        register_properties(ENABLED)
        register_automated_responder(AutomatedResponder(name=VIRTUAL_AGENT, label=LABEL, takes=takes_conversation))
        register_inbound_listener(answer_customer, name="virtual_agent.answering", wants=wants)
        models = ("businessnumbersetting", "topic", "step", "commandlanguage", "commandword")
        add_role_permissions(
            ADMIN, *(f"virtual_agent.{action}_{model}" for model in models for action in ("view", "add", "change",
                                                                                             "delete"))
        )  # fmt: skip
        add_role_permissions(MANAGER, *(f"virtual_agent.view_{model}" for model in models))
