"""The notification rules a new installation starts with: what the desk said before rules existed. The migration
seeds them; a rule missing from the database (a test's flushed tables) falls back to its default here."""

from customer_service.models.notifications import NotificationEvent

DEFAULT_RULES = {
    NotificationEvent.CASE_STATE_CHANGED: {
        "enabled": True,
        # An approved utility template with three body values: the customer's name, the case number, its new state.
        "template_name": "case_update",
        "template_language": "en_US",
        "template_parameters": "customer_name, case_number, state",
        "texts": {"en": "Hello {customer_name}, your case {case_number} ({case_description}) is now {state}."},
    },
    NotificationEvent.CASE_COMMENT: {
        "enabled": True,
        # An approved utility template with three body values: the customer's name, the case number, the comment.
        "template_name": "case_comment",
        "template_language": "en_US",
        "template_parameters": "customer_name, case_number, comment",
        "texts": {
            "en": "Hello {customer_name}, a new comment on your case {case_number} ({case_description}):\n\n{comment}"
        },
    },
    # New with the rules, so off until an admin switches it on (and picks a template, if one is approved).
    NotificationEvent.CATALOG_REQUEST_STATE_CHANGED: {
        "enabled": False,
        "template_name": "",
        "template_language": "en_US",
        "template_parameters": "customer_name, request_number, state",
        "texts": {"en": "Hello {customer_name}, your request {request_number} ({item}) is now {state}."},
    },
}


def seed_rules(rule_model, text_model) -> None:
    """Adds each event's default rule that is not there yet; an edited rule is left as it is."""
    for event, default in DEFAULT_RULES.items():
        fields = {name: value for name, value in default.items() if name != "texts"}
        rule, created = rule_model.objects.get_or_create(event=str(event), defaults=fields)
        if created:
            text_model.objects.bulk_create(
                text_model(rule=rule, language=language, text=text) for language, text in default["texts"].items()
            )
