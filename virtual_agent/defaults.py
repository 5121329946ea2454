"""The topics and command languages a new installation starts with; the migration seeds them, admins edit them.

The virtual agent stays off until a business number setting switches it on (the demo does, for every number)."""

# Every phrase of virtual_agent/phrases.py's ENGLISH, in German (Sie) and Spanish (usted).
GERMAN = {
    "greeting": "Hallo {name}! Ich bin der virtuelle Assistent.",
    "greeting_anonymous": "Hallo! Ich bin der virtuelle Assistent.",
    "menu": "Wie kann ich Ihnen helfen? Tippen Sie auf ein Thema oder schreiben Sie es in wenigen Worten.",
    "menu_again": "Kann ich sonst noch helfen?",
    "menu_button": "Themen",
    "choose_button": "Auswählen",
    "more": "Weitere Optionen",
    "choice_hint": "Tippen Sie auf eine Auswahl oder schreiben Sie ihre Nummer.",
    "not_understood": "Entschuldigung, das habe ich nicht verstanden.",
    "switch_topic": "Gern, wechseln wir zu „{topic}“.",
    "offer_agent": "Ich habe Mühe, Sie zu verstehen. Möchten Sie mit einem Mitarbeiter sprechen?",
    "yes": "Ja",
    "no": "Nein",
    "skip_words": "überspringen, nein, keins, keine, skip",
    "file_hint": "Senden Sie ein Foto oder ein Dokument, oder schreiben Sie „überspringen“.",
    "file_expected": "Bitte senden Sie hier ein Foto oder ein Dokument, oder schreiben Sie „überspringen“.",
    "text_expected": "Bitte schreiben Sie Ihre Antwort als Text.",
    "number_expected": "Bitte geben Sie eine Zahl ein.",
    "number_range": "Bitte geben Sie eine Zahl von {minimum} bis {maximum} ein.",
    "date_expected": "Bitte geben Sie ein Datum ein, zum Beispiel 24.12.2026 oder 2026-12-24.",
    "location_expected": "Bitte teilen Sie einen Standort (📎 > Standort).",
    "out_of_range": "Eine Auswahl {number} gibt es nicht; bitte wählen Sie 1 bis {count}.",
    "help": "Ich helfe bei den Themen unten. Jederzeit können Sie schreiben: mitarbeiter, neustart, status, "
    "verlauf, benachrichtigungen oder tschüss.",
    "restart": "Fangen wir noch einmal von vorn an.",
    "bye": "Danke für Ihre Nachricht, {name}. Auf Wiedersehen!",
    "transcript_caption": "Der Verlauf Ihrer Unterhaltung {number}.",
    "status_none": "Sie haben keine offenen Fälle.",
    "status_list": "Ihre offenen Fälle:\n{cases}",
    "handoff": "Ich verbinde Sie mit einem Mitarbeiter. Einen Moment bitte.",
    "turn_failed": "Entschuldigung, bei uns ist etwas schiefgelaufen. Ich gebe Sie an eine Person aus unserem Team "
    "weiter.",
    "handoff_busy": "Alle Mitarbeiter sind gerade im Gespräch; Sie sind Nummer {position} in der Warteschlange.",
    "handoff_back": "Danke! Ich gebe Sie zurück an {agent}.",
    "expected_wait": "Die voraussichtliche Wartezeit beträgt {wait}.",
    "wait_under_a_minute": "weniger als eine Minute",
    "wait_a_minute": "etwa eine Minute",
    "wait_minutes": "etwa {minutes} Minuten",
    "wait_an_hour": "etwa eine Stunde",
    "wait_hours": "etwa {hours} Stunden",
    "out_of_hours": "Unsere Mitarbeiter sind gerade nicht erreichbar.",
    "opens_at": "Wir sind wieder da: {at}.",
    "no_agents": "Gerade ist kein Mitarbeiter erreichbar.",
    "offer_case": "Soll ich einen Fall für Sie eröffnen, damit wir uns bei Ihnen melden?",
    "will_wait": "In Ordnung: Sie bleiben in der Warteschlange, und ein Mitarbeiter antwortet Ihnen so bald wie "
    "möglich.",
    "resolved": "Schön, dass ich helfen konnte!",
    "did_it_help": "Hat Ihnen das geholfen?",
    "read_more": "Mehr dazu: {url}",
    "case_opened": "Ich habe den Fall {case} für Sie eröffnet. Wir halten Sie hier auf dem Laufenden.",
    "comment_added": "Ich habe das zum Fall {case} hinzugefügt.",
    "request_submitted": "Ihre Anfrage {request} wurde übermittelt.",
    "no_cases_to_update": "Sie haben keine offenen Fälle, die Sie ergänzen könnten.",
    "notifications": "Tippen Sie auf eine Nachrichtenart, um sie ein- oder auszuschalten.",
    "notification_marketing": "Angebote und Neuigkeiten",
    "notification_all": "Nachrichten zu Ihren Fällen",
    "notification_on": "an",
    "notification_off": "aus",
    "notification_all_off": "Fallnachrichten aus",
    "notification_all_on": "Fallnachrichten an",
    "notification_marketing_off": "Angebote abbestellen",
    "notification_marketing_on": "Angebote erhalten",
    "notification_changed": "{kind}: jetzt {state}.",
    "reminder": "Sind Sie noch da? Antworten Sie einfach, um fortzufahren.",
    "abandoned": "Ich schließe diese Unterhaltung, da ich nichts mehr von Ihnen gehört habe. Schreiben Sie uns "
    "jederzeit gern wieder.",
}
SPANISH = {
    "greeting": "¡Hola {name}! Soy el agente virtual.",
    "greeting_anonymous": "¡Hola! Soy el agente virtual.",
    "menu": "¿En qué puedo ayudarle? Toque un tema o escríbalo en pocas palabras.",
    "menu_again": "¿Hay algo más en lo que pueda ayudarle?",
    "menu_button": "Temas",
    "choose_button": "Elegir",
    "more": "Más opciones",
    "choice_hint": "Toque una opción o escriba su número.",
    "not_understood": "Perdón, no le he entendido.",
    "switch_topic": "De acuerdo, pasamos a «{topic}».",
    "offer_agent": "Me está costando entenderle. ¿Desea hablar con un agente?",
    "yes": "Sí",
    "no": "No",
    "skip_words": "omitir, saltar, no, ninguno, ninguna, skip",
    "file_hint": "Envíe una foto o un documento, o escriba «omitir».",
    "file_expected": "Por favor, envíe aquí una foto o un documento, o escriba «omitir».",
    "text_expected": "Por favor, escriba su respuesta como texto.",
    "number_expected": "Por favor, escriba un número.",
    "number_range": "Por favor, escriba un número del {minimum} al {maximum}.",
    "date_expected": "Por favor, escriba una fecha, por ejemplo 24.12.2026 o 2026-12-24.",
    "location_expected": "Por favor, comparta una ubicación (📎 > Ubicación).",
    "out_of_range": "No existe la opción {number}; elija del 1 al {count}.",
    "help": "Puedo ayudarle con los temas de abajo. En cualquier momento puede escribir: agente, reiniciar, estado, "
    "transcripción, notificaciones o adiós.",
    "restart": "Empecemos de nuevo.",
    "bye": "Gracias por escribirnos, {name}. ¡Adiós!",
    "transcript_caption": "La transcripción de su conversación {number}.",
    "status_none": "No tiene casos abiertos.",
    "status_list": "Sus casos abiertos:\n{cases}",
    "handoff": "Le paso con un agente. Un momento, por favor.",
    "turn_failed": "Perdón, algo ha fallado por nuestra parte. Le paso con una persona de nuestro equipo.",
    "handoff_busy": "Todos nuestros agentes están ocupados en este momento; usted es el número {position} en la cola.",
    "handoff_back": "¡Gracias! Le paso de nuevo con {agent}.",
    "expected_wait": "El tiempo de espera estimado es de {wait}.",
    "wait_under_a_minute": "menos de un minuto",
    "wait_a_minute": "un minuto aproximadamente",
    "wait_minutes": "unos {minutes} minutos",
    "wait_an_hour": "una hora aproximadamente",
    "wait_hours": "unas {hours} horas",
    "out_of_hours": "Nuestros agentes no están disponibles en este momento.",
    "opens_at": "Volvemos a atender: {at}.",
    "no_agents": "Ahora mismo no hay ningún agente disponible.",
    "offer_case": "¿Quiere que abra un caso para que nos pongamos en contacto con usted?",
    "will_wait": "De acuerdo: sigue en la cola y un agente le responderá lo antes posible.",
    "resolved": "¡Me alegra haberle ayudado!",
    "did_it_help": "¿Le ha servido de ayuda?",
    "read_more": "Más información: {url}",
    "case_opened": "He abierto el caso {case} para usted. Le mantendremos informado por aquí.",
    "comment_added": "He añadido eso al caso {case}.",
    "request_submitted": "Su solicitud {request} se ha enviado.",
    "no_cases_to_update": "No tiene casos abiertos que actualizar.",
    "notifications": "Toque un tipo de mensaje para activarlo o desactivarlo.",
    "notification_marketing": "Ofertas y novedades",
    "notification_all": "Novedades de sus casos",
    "notification_on": "activado",
    "notification_off": "desactivado",
    "notification_all_off": "No avisar de casos",
    "notification_all_on": "Avisarme de casos",
    "notification_marketing_off": "No recibir ofertas",
    "notification_marketing_on": "Recibir ofertas",
    "notification_changed": "{kind}: ahora {state}.",
    "reminder": "¿Sigue ahí? Responda para continuar.",
    "abandoned": "Cierro esta conversación porque no he tenido noticias suyas. Escríbanos cuando quiera.",
}

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
        GERMAN,
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
        SPANISH,
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


# The shipped topics in German and Spanish: (name, description, synonyms) by topic key and language, and each
# step's prompt by (topic key, step key). Every language's synonyms find a topic, whatever the session's language.
TOPIC_TRANSLATIONS = {
    "knowledge": {
        "de": (
            "Hilfeartikel suchen",
            "Antworten aus unserer Wissensdatenbank und Community",
            "frage, wie kann ich, wie geht, anleitung, hilfeartikel, suchen, finden, information",
        ),
        "es": (
            "Buscar en la ayuda",
            "Respuestas de nuestra base de conocimiento y comunidad",
            "pregunta, cómo puedo, cómo se, artículo de ayuda, buscar, encontrar, información",
        ),
    },
    "catalog": {
        "de": (
            "Service anfragen",
            "Bestellen Sie aus unserem Servicekatalog",
            "service anfragen, serviceanfrage, katalog, montage, installation, ersatzteil, termin buchen",
        ),
        "es": (
            "Solicitar un servicio",
            "Pida desde nuestro catálogo de servicios",
            "solicitar un servicio, solicitud de servicio, catálogo, instalación, montaje, recambio",
        ),
    },
    "report-problem": {
        "de": (
            "Problem melden",
            "Einen Fall eröffnen: Wir kümmern uns darum",
            "problem, kaputt, defekt, funktioniert nicht, geht nicht, beschädigt, fehler, reklamation",
        ),
        "es": (
            "Reportar un problema",
            "Abra un caso: le damos seguimiento",
            "problema, roto, rota, no funciona, averiado, defecto, dañado, reclamación, queja",
        ),
    },
    "my-cases": {
        "de": ("Meine Fälle prüfen", "Der Stand Ihrer offenen Fälle", "meine fälle, fallstatus, wo ist, fortschritt"),
        "es": (
            "Consultar mis casos",
            "El estado de sus casos abiertos",
            "mis casos, estado del caso, dónde está, progreso",
        ),
    },
    "update-case": {
        "de": (
            "Fall ergänzen",
            "Einen Kommentar oder ein Foto zu einem Fall hinzufügen",
            "fall ergänzen, kommentar, foto hinzufügen, mehr informationen, nachtrag",
        ),
        "es": (
            "Actualizar un caso",
            "Añadir un comentario o una foto a un caso",
            "añadir al caso, comentario, añadir foto, más información, actualizar caso",
        ),
    },
    "live-agent": {
        "de": (
            "Mitarbeiter sprechen",
            "Eine Person aus unserem Team",
            "mitarbeiter, mensch, jemand, berater, sprechen mit, rückruf",
        ),
        "es": (
            "Hablar con un agente",
            "Una persona de nuestro equipo",
            "agente, humano, persona, alguien, representante, hablar con",
        ),
    },
}
STEP_TRANSLATIONS = {
    ("knowledge", "query"): {"de": "Was möchten Sie wissen? Beschreiben Sie es in wenigen Worten.",
                             "es": "¿Qué le gustaría saber? Descríbalo en pocas palabras."},
    ("knowledge", "results"): {"de": "Das habe ich gefunden. Was passt am besten?",
                               "es": "Esto es lo que he encontrado. ¿Cuál encaja mejor?"},
    ("knowledge", "nothing"): {"de": "Dazu habe ich leider nichts gefunden. Möchten Sie mit einem Mitarbeiter "
                                     "sprechen?",
                               "es": "No he encontrado nada sobre eso. ¿Desea hablar con un agente?"},
    ("knowledge", "helpful"): {"de": "Hat Ihnen das geholfen?", "es": "¿Le ha servido de ayuda?"},
    ("knowledge", "resolved"): {"de": "Schön, dass ich helfen konnte!", "es": "¡Me alegra haberle ayudado!"},
    ("knowledge", "done"): {"de": "In Ordnung.", "es": "De acuerdo."},
    ("catalog", "category"): {"de": "Welche Art von Service benötigen Sie?", "es": "¿Qué tipo de servicio necesita?"},
    ("catalog", "none"): {"de": "Leider gibt es hier gerade nichts anzufragen.",
                          "es": "Lo siento, ahora mismo no hay nada que solicitar aquí."},
    ("catalog", "item"): {"de": "Welcher davon?", "es": "¿Cuál de ellos?"},
    ("catalog", "submit"): {"de": "Ihre Anfrage {request} wurde übermittelt. Wir halten Sie hier auf dem Laufenden.",
                            "es": "Su solicitud {request} se ha enviado. Le mantendremos informado por aquí."},
    ("report-problem", "short"): {"de": "Bitte beschreiben Sie das Problem in einem Satz.",
                                  "es": "Por favor, describa el problema en una frase."},
    ("report-problem", "photo"): {"de": "Wenn Sie ein Foto oder ein Dokument dazu haben, senden Sie es jetzt.",
                                  "es": "Si tiene una foto o un documento del problema, envíelo ahora."},
    ("report-problem", "open"): {"de": "Ich habe den Fall {case} für Sie eröffnet. Wir halten Sie hier auf dem "
                                       "Laufenden.",
                                 "es": "He abierto el caso {case} para usted. Le mantendremos informado por aquí."},
    ("update-case", "case"): {"de": "Welchen Fall möchten Sie ergänzen?", "es": "¿Qué caso desea actualizar?"},
    ("update-case", "nothing"): {"de": "Sie haben keine offenen Fälle, die Sie ergänzen könnten.",
                                 "es": "No tiene casos abiertos que actualizar."},
    ("update-case", "comment"): {"de": "Was möchten Sie hinzufügen?", "es": "¿Qué desea añadir?"},
    ("update-case", "photo"): {"de": "Möchten Sie auch ein Foto oder ein Dokument hinzufügen?",
                               "es": "¿Desea añadir también una foto o un documento?"},
    ("update-case", "add"): {"de": "Ich habe das zum Fall {case} hinzugefügt.", "es": "He añadido eso al caso {case}."},
}  # fmt: skip


def seed_defaults(topic_model, step_model, language_model, word_model) -> None:
    """All the defaults, as the migrations leave them (the demo, and tests after a flush); keeps what admins
    changed."""
    seed_topics_and_commands(topic_model, step_model, language_model, word_model)
    fill_phrases(language_model)
    fill_translations(topic_model, step_model)


def seed_topics_and_commands(topic_model, step_model, language_model, word_model) -> None:
    """Takes the model classes, so a migration can pass its historical ones (0002's have no translations yet)."""
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


def fill_phrases(language_model) -> None:
    """Gives each shipped language the phrases it lacks; a phrase an admin has set is theirs and stays."""
    for language in language_model.objects.filter(code__in=COMMANDS):
        shipped = COMMANDS[language.code][1]
        own = language.phrases if isinstance(language.phrases, dict) else {}
        missing = {key: text for key, text in shipped.items() if not own.get(key)}
        if missing:
            language.phrases = {**own, **missing}
            language.save(update_fields=["phrases"])


def fill_translations(topic_model, step_model) -> None:
    """Gives the shipped topics and steps the languages they lack, where their English is still as shipped: a
    translation of words an admin has since changed would say something else."""
    for key, name, _description, _synonyms, steps in TOPICS:
        topic = topic_model.objects.filter(key=key, name=name).first()
        if topic is None:
            continue
        own = topic.translations if isinstance(topic.translations, dict) else {}
        missing = {language: {"name": name, "description": description, "synonyms": synonyms}
                   for language, (name, description, synonyms) in TOPIC_TRANSLATIONS[key].items()
                   if language not in own}  # fmt: skip
        if missing:
            topic.translations = {**own, **missing}
            topic.save(update_fields=["translations"])
        for step_key, _kind, prompt, _extra in steps:
            prompts = STEP_TRANSLATIONS.get((key, step_key))
            step = step_model.objects.filter(topic=topic, key=step_key, prompt=prompt).first() if prompts else None
            if step is None:
                continue
            own = step.translations if isinstance(step.translations, dict) else {}
            missing = {language: {"prompt": text} for language, text in prompts.items() if language not in own}
            if missing:
                step.translations = {**own, **missing}
                step.save(update_fields=["translations"])
