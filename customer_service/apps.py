from django.apps import AppConfig

# Admins edit all of customer service; managers review it. Cases and requests are never deleted (the history is
# the record), and the numbering counters are nobody's to edit.
_EDITED = [
    "account",
    "contact",
    "contactphone",
    "contactlink",
    "casecategory",
    "knowledgecategory",
    "knowledgearticle",
    "communityquestion",
    "communityanswer",
    "catalogcategory",
    "catalogitem",
    "catalogquestion",
    "notificationtext",
]
_KEPT = ["case", "catalogrequest"]
# One notification rule per event, seeded: admins change them, nobody adds or deletes one.
_CONFIGURED = ["notificationrule"]
_REVIEWED = [*_EDITED, *_KEPT, *_CONFIGURED, "casestatechange", "casecomment", "caseinteraction", "caseattachment"]


class CustomerServiceConfig(AppConfig):
    name = "customer_service"
    verbose_name = "Customer service"

    def ready(self) -> None:
        from customer_service.record_panels import show_customer_service_on_interaction_records
        from customer_service.retention import ERASURE_STEP
        from interactions.roles import ADMIN, MANAGER, add_role_permissions
        from retention.registry import register_erasure_step

        register_erasure_step(ERASURE_STEP)

        viewing = [f"customer_service.view_{model}" for model in _REVIEWED]
        editing = [f"customer_service.{action}_{model}" for model in _EDITED for action in ("add", "change", "delete")]
        keeping = [f"customer_service.{action}_{model}" for model in _KEPT for action in ("add", "change")]
        configuring = [f"customer_service.change_{model}" for model in _CONFIGURED]
        add_role_permissions(MANAGER, *viewing)
        add_role_permissions(ADMIN, *viewing, *editing, *keeping, *configuring)
        show_customer_service_on_interaction_records()
