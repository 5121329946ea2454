"""The topics and command languages a new installation starts with; the migration seeds them, admins edit them.

The virtual agent stays off until a business number setting switches it on (the demo does, for every number)."""

COMMANDS = {
    "en": (
        "English",
        {},
        {
            "agent": ["agent", "human", "live agent", "person", "operator"],
            "help": ["help", "menu", "?"],
            "restart": ["restart", "start over", "reset"],
            "bye": ["bye", "goodbye", "exit"],
            "transcript": ["transcript"],
            "status": ["status", "my cases"],
            "notifications": ["notifications", "settings"],
        },
    ),
    "de": (
        "Deutsch",
        {
            "greeting": "Hallo {name}! Ich bin der virtuelle Assistent.",
            "greeting_anonymous": "Hallo! Ich bin der virtuelle Assistent.",
            "menu": "Wie kann ich Ihnen helfen? Tippen Sie auf ein Thema oder schreiben Sie es in wenigen Worten.",
            "menu_again": "Kann ich sonst noch helfen?",
            "not_understood": "Entschuldigung, das habe ich nicht verstanden.",
            "yes": "Ja",
            "no": "Nein",
            "help": "Ich helfe bei den Themen unten. Jederzeit können Sie schreiben: mitarbeiter, neustart, status, "
            "verlauf, benachrichtigungen oder tschüss.",
            "bye": "Danke für Ihre Nachricht, {name}. Auf Wiedersehen!",
            "handoff": "Ich verbinde Sie mit einem Mitarbeiter. Einen Moment bitte.",
            "handoff_busy": "Alle Mitarbeiter sind gerade beschäftigt; Sie sind Nummer {position} in der "
            "Warteschlange.",
            "expected_wait": "Die voraussichtliche Wartezeit beträgt {wait}.",
            "wait_under_a_minute": "weniger als eine Minute",
            "wait_a_minute": "etwa eine Minute",
            "wait_minutes": "etwa {minutes} Minuten",
            "wait_an_hour": "etwa eine Stunde",
            "wait_hours": "etwa {hours} Stunden",
        },
        {
            "agent": ["mitarbeiter", "mensch"],
            "help": ["hilfe"],
            "restart": ["neustart", "von vorn"],
            "bye": ["tschüss", "auf wiedersehen"],
            "transcript": ["verlauf"],
            "status": ["meine fälle"],
            "notifications": ["benachrichtigungen"],
        },
    ),
    "es": (
        "Español",
        {
            "greeting": "¡Hola {name}! Soy el agente virtual.",
            "greeting_anonymous": "¡Hola! Soy el agente virtual.",
            "menu": "¿En qué puedo ayudarle? Toque un tema o escríbalo en pocas palabras.",
            "not_understood": "Perdón, no le he entendido.",
            "yes": "Sí",
            "no": "No",
            "bye": "Gracias por escribirnos, {name}. ¡Adiós!",
            "handoff": "Le paso con un agente. Un momento, por favor.",
            "handoff_busy": "Todos nuestros agentes están ocupados; usted es el número {position} en la cola.",
            "expected_wait": "El tiempo de espera estimado es de {wait}.",
            "wait_under_a_minute": "menos de un minuto",
            "wait_a_minute": "un minuto aproximadamente",
            "wait_minutes": "unos {minutes} minutos",
            "wait_an_hour": "una hora aproximadamente",
            "wait_hours": "unas {hours} horas",
        },
        {
            "agent": ["agente", "persona", "humano"],
            "help": ["ayuda"],
            "restart": ["reiniciar", "empezar de nuevo"],
            "bye": ["adiós", "adios", "chao"],
            "transcript": ["transcripción", "transcripcion"],
            "status": ["estado", "mis casos"],
            "notifications": ["notificaciones"],
        },
    ),
}

# (key, name, description, synonyms, steps); a step: (key, kind, prompt, extra fields)
TOPICS = [
    ("knowledge", "Search help articles", "Answers from our knowledge base and community",
     "question, how do i, how to, help article, faq, search, find, information, know", [
        ("query", "text", "What would you like to know? Describe it in a few words.", {"store_as": "query"}),
        ("results", "choice", "Here is what I found. Which one fits best?",
         {"source": "knowledge_results", "store_as": "result", "next_step": "show"}),
        ("nothing", "yes_no", "I couldn't find anything about that. Would you like to talk to a live agent?",
         {"options": [{"id": "yes", "next": "agent"}, {"id": "no", "next": "done"}]}),
        ("show", "show", "", {"source": "knowledge_result"}),
        ("helpful", "yes_no", "Did this help?", {"store_as": "helped",
         "options": [{"id": "yes", "next": "resolved"}, {"id": "no", "next": "agent"}]}),
        ("resolved", "end", "Glad I could help!", {}),
        ("agent", "handoff", "", {}),
        ("done", "end", "Alright.", {}),
    ]),
    ("catalog", "Request a service", "Order from our service catalog",
     "request a service, service request, catalog, install, installation, book a service, spare part", [
        ("category", "choice", "Which kind of service do you need?",
         {"source": "catalog_categories", "store_as": "category", "next_step": "item"}),
        ("none", "end", "Sorry, there is nothing to request here right now.", {}),
        ("item", "choice", "Which one?", {"source": "catalog_items", "store_as": "item", "next_step": "questions"}),
        ("questions", "catalog_questions", "", {}),
        ("submit", "action", "Your request {request} has been submitted. We'll keep you posted here.",
         {"source": "submit_catalog_request"}),
        ("done", "end", " ", {}),
    ]),
    ("report-problem", "Report a problem", "Open a case: we follow it up",
     "problem, broken, not working, issue, complaint, defect, damaged, case, error, fault", [
        ("short", "text", "Please describe the problem in one sentence.", {"store_as": "short_description"}),
        ("photo", "file", "If you have a photo or a document of it, send it now.",
         {"store_as": "attachment", "optional": True}),
        ("open", "action", "I've opened case {case} for you. We'll keep you posted here.", {"source": "open_case"}),
        ("done", "end", " ", {}),
    ]),
    ("my-cases", "Check my cases", "The state of your open cases",
     "status, my cases, case status, where is, progress, update on", [
        ("list", "show", "", {"source": "open_cases"}),
        ("done", "end", " ", {}),
    ]),
    ("update-case", "Update a case", "Add a comment or a photo to a case",
     "add to case, comment, add photo, more information, update", [
        ("case", "choice", "Which case would you like to update?",
         {"source": "open_cases", "store_as": "case", "next_step": "comment"}),
        ("nothing", "end", "You have no open cases to update.", {}),
        ("comment", "text", "What would you like to add?", {"store_as": "comment"}),
        ("photo", "file", "Would you like to add a photo or a document too?",
         {"store_as": "attachment", "optional": True}),
        ("add", "action", "I've added that to case {case}.", {"source": "add_case_comment"}),
        ("done", "end", " ", {}),
    ]),
    ("live-agent", "Talk to an agent", "A person from our team",
     "agent, human, person, someone, representative, talk to, call me", [
        ("handoff", "handoff", "", {}),
    ]),
]  # fmt: skip


def seed_defaults(topic_model, step_model, language_model, word_model) -> None:
    """Takes the model classes, so the migration can pass its historical ones; keeps what admins changed."""
    for order, (key, name, description, synonyms, steps) in enumerate(TOPICS, start=1):
        topic, created = topic_model.objects.get_or_create(
            key=key, defaults={"name": name, "description": description, "synonyms": synonyms, "order": order * 10}
        )
        if not created:
            continue
        for number, (step_key, kind, prompt, extra) in enumerate(steps, start=1):
            step_model.objects.create(topic=topic, order=number * 10, key=step_key, kind=kind, prompt=prompt, **extra)
    for code, (name, phrases, commands) in COMMANDS.items():
        language, _ = language_model.objects.get_or_create(code=code, defaults={"name": name, "phrases": phrases})
        for action, words in commands.items():
            for word in words:
                word_model.objects.get_or_create(language=language, word=word, defaults={"action": action})
