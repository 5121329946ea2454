"""The keyword languages a new installation starts with; the migration seeds them, admins edit them after."""

DEFAULTS = [
    (
        "en",
        "English",
        "You have been unsubscribed and will not receive messages from us unless you write to us. "
        "Reply START to subscribe again.",
        "You are subscribed to messages from us again. Reply STOP at any time to unsubscribe.",
        "May we send you WhatsApp updates about your orders and requests? Reply YES to agree or STOP to say no.",
        {
            "opt_out": ["STOP", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "STOP ALL"],
            "opt_in": ["START", "SUBSCRIBE", "UNSTOP"],
            "opt_in_answer": ["YES"],
        },
    ),
    (
        "de",
        "Deutsch",
        "Sie sind abgemeldet und erhalten keine Nachrichten mehr von uns, außer Sie schreiben uns. "
        "Antworten Sie START, um sich wieder anzumelden.",
        "Sie erhalten wieder Nachrichten von uns. Antworten Sie jederzeit STOPP, um sich abzumelden.",
        "Dürfen wir Ihnen WhatsApp-Nachrichten zu Ihren Bestellungen und Anfragen senden? Antworten Sie JA oder STOPP.",
        {"opt_out": ["STOPP", "ABMELDEN"], "opt_in": ["ANMELDEN"], "opt_in_answer": ["JA"]},
    ),
    (
        "es",
        "Español",
        "Se ha dado de baja y no recibirá mensajes nuestros salvo que nos escriba. Responda ALTA para volver.",
        "Volverá a recibir nuestros mensajes. Responda BAJA en cualquier momento para darse de baja.",
        "¿Podemos enviarle novedades por WhatsApp sobre sus pedidos y solicitudes? Responda SÍ o BAJA.",
        {"opt_out": ["BAJA", "PARAR"], "opt_in": ["ALTA"], "opt_in_answer": ["SÍ", "SI"]},
    ),
]


def seed_default_keywords(language_model, keyword_model) -> None:
    """Takes the model classes, so the migration can pass its historical ones."""
    for code, name, opt_out, opt_in, question, keywords in DEFAULTS:
        language, _ = language_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "opt_out_confirmation": opt_out,
                "opt_in_confirmation": opt_in,
                "opt_in_question": question,
            },
        )
        for action, words in keywords.items():
            for word in words:
                keyword_model.objects.get_or_create(language=language, word=word, defaults={"action": action})
