"""What the virtual agent says, by key, in English; each language's `CommandLanguage.phrases` overrides any of them
(admin > Virtual agent > Command languages), and a phrase a language leaves out is said in English."""

ENGLISH = {
    "greeting": "Hi {name}! I'm the virtual agent.",
    "greeting_anonymous": "Hi! I'm the virtual agent.",
    "menu": "How can I help you today? Tap a topic or tell me in a few words.",
    "menu_again": "Is there anything else I can help you with?",
    "menu_button": "Topics",
    "choose_button": "Choose",
    "more": "More options",
    "choice_hint": "Tap a choice or type its number.",
    "not_understood": "Sorry, I didn't understand that.",
    "switch_topic": "Sure, let's switch to “{topic}”.",
    "offer_agent": "I'm having trouble understanding you. Would you like to talk to a live agent?",
    "yes": "Yes",
    "no": "No",
    "skip_words": "skip, no, none",
    "file_hint": "Send a photo or a document, or type skip.",
    "file_expected": "Please send a photo or a document here, or type skip.",
    "text_expected": "Please type your answer as text.",
    "number_expected": "Please type a number.",
    "number_range": "Please type a number from {minimum} to {maximum}.",
    "date_expected": "Please type a date, for example 24.12.2026 or 2026-12-24.",
    "location_expected": "Please share a location (📎 > Location).",
    "out_of_range": "There is no choice {number}; please pick 1 to {count}.",
    "help": "I can help with the topics below. At any time you can type: agent, restart, status, transcript, "
    "notifications or bye.",
    "restart": "Let's start over.",
    "bye": "Thank you for contacting us, {name}. Goodbye!",
    "transcript_caption": "The transcript of your conversation {number}.",
    "status_none": "You have no open cases.",
    "status_list": "Your open cases:\n{cases}",
    "handoff": "I'm connecting you with a live agent. Please wait a moment.",
    "turn_failed": "Sorry, something went wrong on our side. I'm passing you to a person from our team.",
    "handoff_busy": "All our agents are busy right now; you are number {position} in line.",
    "expected_wait": "The expected wait is {wait}.",
    "wait_under_a_minute": "less than a minute",
    "wait_a_minute": "about a minute",
    "wait_minutes": "about {minutes} minutes",
    "wait_an_hour": "about an hour",
    "wait_hours": "about {hours} hours",
    "handoff_back": "Thanks! I'm passing you back to {agent}.",
    "out_of_hours": "Our agents are not available right now.",
    "opens_at": "We open again {at}.",
    "no_agents": "No live agent is available right now.",
    "offer_case": "Would you like me to open a case so that we get back to you?",
    "will_wait": "Alright: you stay in line, and an agent will answer you as soon as possible.",
    "resolved": "Glad I could help!",
    "did_it_help": "Did this help?",
    "read_more": "Read more: {url}",
    "case_opened": "I've opened case {case} for you. We'll keep you posted here.",
    "comment_added": "I've added that to case {case}.",
    "request_submitted": "Your request {request} has been submitted.",
    "no_cases_to_update": "You have no open cases to update.",
    "notifications": "Tap a kind of message to switch it on or off.",
    "notification_marketing": "Offers and news",
    "notification_all": "Case updates",
    "notification_on": "on",
    "notification_off": "off",
    "notification_all_off": "Stop case updates",
    "notification_all_on": "Get case updates",
    "notification_marketing_off": "Stop offers and news",
    "notification_marketing_on": "Get offers and news",
    "notification_changed": "{kind}: now {state}.",
    "reminder": "Are you still there? Just reply to continue.",
    "abandoned": "I'm closing this conversation as I haven't heard from you. Write to us any time.",
}


def phrase(key: str, overrides: dict | None = None, **values: object) -> str:
    """The phrase in the language whose overrides are given, its {placeholders} filled; an unknown one is left as
    written, so an admin's typo shows instead of failing the conversation."""
    text = (overrides or {}).get(key) or ENGLISH[key]
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text
