"""Commands the customer can type at any step, in their language (admin > Virtual agent > Command languages):
agent, help, restart, bye, transcript, status, notifications. A command is the whole message, as consent keywords
are; opt-out keywords are the consent rules', applied before the virtual agent reads the message."""

from consent.models import ConsentMethod, ConsentScope, ConsentStatus
from consent.selectors import consent_state
from consent.services import record_consent
from interactions.controls import Choice
from interactions.models import InteractionState
from interactions.services.consent_messages import confirm_consent_change
from interactions.services.lifecycle import close_interaction
from virtual_agent.answers import CustomerAnswer
from virtual_agent.engine import NOTIFICATIONS, Asked, Conversation, phrases_of
from virtual_agent.models import CommandAction, CommandWord, SessionState
from virtual_agent.understanding import folded

BYE_STATE_REASON = "Ended by the customer with the virtual agent"
NOTIFICATION_KINDS = (("all", ConsentScope.ALL, "notification_all"),
                      ("marketing", ConsentScope.MARKETING, "notification_marketing"))  # fmt: skip


def command_words() -> dict[str, tuple[str, str]]:
    """Every language's command words, folded: (action, language)."""
    rows = CommandWord.objects.values_list("word", "action", "language__code")
    return {folded(word): (action, language) for word, action, language in rows}


def command_in(answer: CustomerAnswer) -> tuple[str, str] | None:
    if not answer.is_typed or not answer.text or len(answer.text) > 64:
        return None
    return command_words().get(folded(answer.text))


def run_command(conversation: Conversation, command: tuple[str, str]) -> None:
    action, language = command
    session = conversation.session
    if language != session.language:  # they typed a command in another language: the agent speaks it from now
        session.language = language
        conversation.phrases = phrases_of(language)
    conversation.understood()
    match action:
        case CommandAction.AGENT:
            from virtual_agent.handoff import LIVE_AGENT_TOPIC, hand_over

            hand_over(conversation, topic_key=session.topic.key if session.topic else LIVE_AGENT_TOPIC)
        case CommandAction.HELP:
            conversation.say(conversation.phrase_for("help"))
            conversation.ask_again()
        case CommandAction.RESTART:
            conversation.say(conversation.phrase_for("restart"))
            conversation.show_menu()
        case CommandAction.BYE:
            say_goodbye(conversation)
        case CommandAction.TRANSCRIPT:
            from virtual_agent.transcript import send_transcript

            send_transcript(conversation)
        case CommandAction.STATUS:
            from virtual_agent.sources import open_cases_text

            conversation.say(open_cases_text(conversation))
            conversation.ask_again()
        case CommandAction.NOTIFICATIONS:
            ask_notifications(conversation)


def say_goodbye(conversation: Conversation) -> None:
    """Ends politely: the goodbye goes out, then the conversation closes as complete."""
    conversation.say(conversation.phrase_for("bye", name=conversation.customer_name() or "").replace(" ,", ","))
    conversation.session.state = SessionState.ENDED
    conversation.flush()
    close_interaction(
        interaction=conversation.interaction,
        by=None,
        state=InteractionState.CLOSED_COMPLETE,
        state_reason=BYE_STATE_REASON,
    )


def _subscribed(conversation: Conversation, scope: str) -> bool:
    state = consent_state(channel_user_id=conversation.interaction.channel_user_id, scope=scope)
    return state.status != ConsentStatus.OPTED_OUT


def ask_notifications(conversation: Conversation) -> None:
    """Each kind's state in the text, and a choice per kind that says what a tap does ("Stop case updates"): its
    id carries the wanted state, so an old tap does what its label said, not the opposite of what is now."""
    previous = conversation.session.context.get("asked", {})
    states, choices, synonyms = [], [], {}
    for key, scope, label in NOTIFICATION_KINDS:
        subscribed = _subscribed(conversation, scope)
        state = conversation.phrase_for("notification_on" if subscribed else "notification_off")
        states.append(f"{conversation.phrase_for(label)}: {state}")
        wanted = "off" if subscribed else "on"
        choices.append(Choice(id=f"{key}:{wanted}", title=conversation.phrase_for(f"{label}_{wanted}")))
        synonyms[f"{key}:{wanted}"] = [conversation.phrase_for(label)]
    body = "\n".join([conversation.phrase_for("notifications"), *states])
    control = conversation.choice_control(body, choices)
    conversation.ask(Asked(expects=NOTIFICATIONS, control=control, synonyms=synonyms))
    conversation.session.context["before_notifications"] = previous


def answer_notifications(conversation: Conversation, answer: CustomerAnswer, asked: Asked) -> None:
    """The chosen kind is switched as its label said, recorded in the consent ledger with the customer's message."""
    chosen = conversation.chosen(answer, asked)
    if chosen is None:
        return
    conversation.understood()
    key, _, wanted = chosen.partition(":")
    _, scope, label = next(kind for kind in NOTIFICATION_KINDS if kind[0] == key)
    interaction = conversation.interaction
    subscribe = wanted == "on"
    message = interaction.messages.get(pk=answer.message_id)
    record_consent(
        channel_user=interaction.channel_user,
        status=ConsentStatus.OPTED_IN if subscribe else ConsentStatus.OPTED_OUT,
        method=ConsentMethod.SETTINGS_CHOICE,
        scope=scope,
        message=message,
        note="Notification settings, chosen with the virtual agent",
        language=conversation.session.language,
    )
    if scope == ConsentScope.ALL:  # the consent rules' own confirmation: the one message an opt-out still allows
        conversation.session.state = SessionState.ENDED if not subscribe else conversation.session.state
        confirm_consent_change(interaction=interaction, opted_in=subscribe, language=conversation.session.language)
        if not subscribe:
            return
    state = conversation.phrase_for("notification_on" if subscribe else "notification_off")
    conversation.say(conversation.phrase_for("notification_changed", kind=conversation.phrase_for(label), state=state))
    before = Asked.from_stored(conversation.session.context.pop("before_notifications", {}))
    if before is None:
        conversation.show_menu(again=True)
    else:
        conversation.ask(before)
