from django.apps import AppConfig

# What routing's admin pages need, per role: admins set queues, rules, skills, agents' capacity and reject reasons;
# managers read them.
ROUTING_CONFIGURATION_MODELS = ("queue", "holiday", "routingrule", "skill", "rejectreason", "resolutioncode")
ADMIN_PERMISSIONS = (
    *(
        f"routing.{action}_{model}"
        for model in ROUTING_CONFIGURATION_MODELS
        for action in ("view", "add", "change", "delete")
    ),
    "routing.view_agentprofile",
    "routing.change_agentprofile",
    "routing.view_wrapup",
)
MANAGER_PERMISSIONS = (
    *(f"routing.view_{model}" for model in ROUTING_CONFIGURATION_MODELS),
    "routing.view_agentprofile",
    "routing.view_wrapup",
)


class RoutingConfig(AppConfig):
    name = "routing"

    def ready(self) -> None:
        from interactions.audience import register_audience_policy
        from interactions.live_connections import register_connection_listener
        from interactions.roles import ADMIN, MANAGER, add_role_permissions
        from interactions.services.assignment import register_claim_policy
        from interactions.services.lifecycle_listeners import register_lifecycle_listener
        from interactions.services.listeners import register_inbound_listener
        from properties.registry import register_properties
        from routing import lifecycle_tasks, queue_tasks  # noqa: F401  (register their tasks with Celery)
        from routing.audience import RoutingAudience
        from routing.history_admin import show_routing_history_on_interaction_records
        from routing.properties import PROPERTIES
        from routing.record_filters import filter_interaction_records_by_queue
        from routing.services.assignment import RoutingClaims
        from routing.services.lifecycle_reactions import react_to_lifecycle_change
        from routing.services.presence import record_connection_closed, record_connection_opened, record_server_alive
        from routing.services.queueing import may_need_routing, route_new_interaction

        register_properties(*PROPERTIES)

        register_inbound_listener(route_new_interaction, name="routing.queueing", wants=may_need_routing)
        register_audience_policy(RoutingAudience())
        register_claim_policy(RoutingClaims())
        register_lifecycle_listener(react_to_lifecycle_change)
        register_connection_listener(record_connection_opened, record_connection_closed, record_server_alive)
        add_role_permissions(ADMIN, *ADMIN_PERMISSIONS)
        add_role_permissions(MANAGER, *MANAGER_PERMISSIONS)
        show_routing_history_on_interaction_records()
        filter_interaction_records_by_queue()
