"""The demo's shared canned responses: what an agent finds by typing / in the composer."""

from canned_responses.models import CannedResponse

DEMO_CANNED_RESPONSES = [
    ("thanks", "Thanks for waiting", "", "Thank you for waiting, {customer_name}. I'm {agent_name} and I'll help you."),
    (
        "case",
        "Your case is being handled",
        "",
        "{customer_name}, your case {case_number} ({case_title}) is being handled; we'll write as soon as it moves.",
    ),
    (
        "bye",
        "Closing the conversation",
        "",
        "Is there anything else I can do for you, {customer_name}? Have a good day!",
    ),
    (
        "danke",
        "Danke fürs Warten",
        "de",
        "Danke fürs Warten, {customer_name}. Ich bin {agent_name} und helfe Ihnen gern.",
    ),
]


def seed_canned_responses_demo() -> None:
    """Safe to run again: an admin's later edits to these are kept."""
    for shortcut, title, language, body in DEMO_CANNED_RESPONSES:
        CannedResponse.objects.get_or_create(
            owner=None, shortcut=shortcut, language=language, defaults={"title": title, "body": body}
        )
