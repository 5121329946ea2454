"""The engine: one conversation's turn with the virtual agent, run from its inbound listener under the
interaction's lock.

Each customer message the session has not acted on yet (`Session.handled_through`) is read in order: a command
(any step), else the answer to what was asked (the menu, a step of a topic, a yes/no the agent itself asked). Steps
run until one asks something, hands over or ends. All that one turn says goes out as one message (texts ride in the
body of the question that follows), so nothing arrives out of order. A repeated or late listener run finds its
message handled and does nothing; two at once wait for the lock.
"""

import logging
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from consent.models import ConsentRecord
from customer_service.numbers import parsed_number
from interactions.controls import Choice, Control, ControlKind, requested_page
from interactions.models import Direction, Interaction, Message, MessageKind
from interactions.services.automated_replies import queue_automated_control
from interactions.services.timeline import lock_interaction
from virtual_agent.answers import CustomerAnswer, answer_of, parsed_date
from virtual_agent.front_door import VIRTUAL_AGENT, steps_aside_now
from virtual_agent.models import CommandLanguage, Session, SessionState, Step, StepKind, Topic
from virtual_agent.phrases import phrase
from virtual_agent.understanding import (
    CONFIDENT_THRESHOLD,
    FUZZY_THRESHOLD,
    Candidate,
    folded,
    listed,
    match_choice,
    match_words,
)

logger = logging.getLogger(__name__)

MAX_STEPS_PER_TURN = 50  # a topic whose steps loop (an admin's mistake) stops instead of spinning
MISUNDERSTANDINGS_BEFORE_OFFERING_AN_AGENT = 2
WORDS_THAT_DESCRIBE = 4  # a first message this long that names a topic is also its first answer
INPUT_KINDS = (StepKind.CHOICE, StepKind.YES_NO, StepKind.TEXT, StepKind.NUMBER, StepKind.DATE, StepKind.FILE,
               StepKind.LOCATION)  # fmt: skip
CONTROL_OF_STEP = {
    StepKind.CHOICE: ControlKind.CHOICE,
    StepKind.YES_NO: ControlKind.YES_NO,
    StepKind.TEXT: ControlKind.TEXT,
    StepKind.NUMBER: ControlKind.NUMBER,
    StepKind.DATE: ControlKind.DATE,
    StepKind.FILE: ControlKind.FILE,
    StepKind.LOCATION: ControlKind.LOCATION,
}
# A reaction to one of its messages, or news about the customer (a changed number), answers nothing.
NOT_ANSWERS = (MessageKind.REACTION, MessageKind.NOTICE)
# What the session waits for besides a topic's step.
MENU, OFFER_AGENT, OFFER_CASE, NOTIFICATIONS, CATALOG_QUESTION = (
    "menu", "offer_agent", "offer_case", "notifications", "catalog_question"
)  # fmt: skip


@dataclass(slots=True)
class Asked:
    """What the customer is answering: the control shown, the synonyms of its choices, what it is for."""

    expects: str  # MENU, a step ("step"), OFFER_AGENT, OFFER_CASE, NOTIFICATIONS, CATALOG_QUESTION
    control: Control
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1

    def stored(self) -> dict:
        return {"expects": self.expects, "control": _control_data(self.control), "synonyms": self.synonyms,
                "page": self.page}  # fmt: skip

    @classmethod
    def from_stored(cls, data: dict) -> "Asked | None":
        if not data or "control" not in data:
            return None
        raw = data["control"]
        control = Control(**{**raw, "kind": ControlKind(raw["kind"]),
                             "choices": tuple(Choice(**choice) for choice in raw.get("choices", ()))})  # fmt: skip
        return cls(expects=data["expects"], control=control, synonyms=data.get("synonyms", {}),
                   page=data.get("page", 1))  # fmt: skip


def _control_data(control: Control) -> dict:
    data = asdict(control)
    data["kind"] = str(control.kind)
    return data


class Conversation:
    """One turn: the locked interaction, its session, and what the virtual agent says before the turn ends."""

    def __init__(self, interaction: Interaction, session: Session) -> None:
        self.interaction = interaction
        self.session = session
        self.texts: list[str] = []
        self.asked: Asked | None = None
        self.answer: CustomerAnswer | None = None  # the message being read
        self.phrases = phrases_of(session.language)

    # ---- saying and asking ----

    def phrase_for(self, key: str, **values: object) -> str:
        return phrase(key, self.phrases, **values)

    def say(self, text: str) -> None:
        """Once per turn: a turn that reads several messages (they came while another was being answered) asks
        again once, not once for each."""
        text = text.strip()
        if text and text not in self.texts:
            self.texts.append(text)

    def ask(self, asked: Asked) -> None:
        self.asked = asked
        self.session.context = {**self.session.context, "asked": asked.stored()}

    def flush(self) -> None:
        """Sends what the turn said as one message: the texts in the body of the question, if any."""
        texts, asked = self.texts, self.asked
        self.texts, self.asked = [], None
        if asked is None and not texts:
            return
        if asked is None:
            control = Control(kind=ControlKind.MESSAGE, body="\n\n".join(texts))
            page = 1
        else:
            control = replace(asked.control, body="\n\n".join([*texts, asked.control.body]))
            page = asked.page
        queue_automated_control(interaction=self.interaction, control=control, purpose=VIRTUAL_AGENT, page=page)
        self.session.last_prompt_at = timezone.now()
        self.session.reminded_at = None

    def current(self) -> Asked | None:
        return Asked.from_stored(self.session.context.get("asked", {}))

    def ask_again(self) -> None:
        asked = self.current()
        if asked is None:
            self.show_menu()
        else:
            self.ask(asked)

    def choice_control(self, body: str, choices: list[Choice], *, kind: ControlKind = ControlKind.CHOICE,
                       title: str = "", url: str = "") -> Control:  # fmt: skip
        hint = (
            f"\n\n{self.phrase_for('choice_hint')}" if len(choices) > 3 else ""
        )  # buttons need no hint: they are buttons
        return Control(kind=kind, body=f"{body}{hint}", choices=tuple(choices), title=title, url=url,
                       button=self.phrase_for("choose_button"), more=self.phrase_for("more"))  # fmt: skip

    def yes_no(self, body: str, expects: str) -> None:
        choices = [Choice(id="yes", title=self.phrase_for("yes")), Choice(id="no", title=self.phrase_for("no"))]
        self.ask(Asked(expects=expects, control=self.choice_control(body, choices, kind=ControlKind.YES_NO),
                       synonyms=_yes_no_synonyms()))  # fmt: skip

    # ---- the customer's name, the menu ----

    def customer_name(self) -> str:
        from virtual_agent.sources import contact_name

        return contact_name(self.interaction.channel_user)

    def greet(self) -> None:
        name = self.customer_name()
        self.say(self.phrase_for("greeting", name=name) if name else self.phrase_for("greeting_anonymous"))

    def menu_topics(self) -> list[Topic]:
        return list(Topic.objects.filter(is_active=True, in_menu=True))

    def show_menu(self, *, again: bool = False) -> None:
        self.session.topic, self.session.step_key, self.session.answers = None, "", {}
        topics = self.menu_topics()
        language = self.session.language
        choices = [Choice(id=topic.key, title=topic.text("name", language),
                          description=topic.text("description", language)) for topic in topics]  # fmt: skip
        control = self.choice_control(self.phrase_for("menu_again" if again else "menu"), choices)
        control = replace(control, button=self.phrase_for("menu_button"))
        self.ask(Asked(expects=MENU, control=control, synonyms={topic.key: list(topic.words()) for topic in topics}))

    # ---- reading answers ----

    def chosen(self, answer: CustomerAnswer, asked: Asked) -> str | None:
        """The id of the choice the answer names; re-asks (and counts a misunderstanding) when it names none.
        A tapped "more" shows the next page and returns None."""
        ids = [choice.id for choice in asked.control.choices]
        if answer.choice_id:
            page = requested_page(answer.choice_id)
            if page is not None:
                self.ask(replace(asked, page=page))
                return None
            if answer.choice_id in ids:
                return answer.choice_id
        candidates = [Candidate(id=choice.id, words=(choice.title, *asked.synonyms.get(choice.id, ())))
                      for choice in asked.control.choices]  # fmt: skip
        match = match_choice(answer.text, candidates) if answer.text else None
        if match is not None and match.id:
            return match.id
        if match is not None and match.out_of_range is not None:
            self.misunderstood(self.phrase_for("out_of_range", number=match.out_of_range, count=len(ids)))
        elif answer.is_file:
            self.misunderstood(self.phrase_for("text_expected"))
        else:
            self.misunderstood(self.phrase_for("not_understood"))
        return None

    def misunderstood(self, why: str) -> None:
        if self.switched_topic():
            return
        self.session.misunderstandings += 1
        if self.session.misunderstandings >= MISUNDERSTANDINGS_BEFORE_OFFERING_AN_AGENT:
            self.session.misunderstandings = 0
            previous = self.session.context.get("asked", {})
            self.say(why)
            self.yes_no(self.phrase_for("offer_agent"), OFFER_AGENT)
            self.session.context["before_offer"] = previous
            return
        self.say(why)
        self.ask_again()

    def understood(self) -> None:
        self.session.misunderstandings = 0

    def switched_topic(self) -> bool:
        """Typed text that answers nothing asked here but clearly names another topic ("actually I want to check my
        cases" at a yes/no) starts that topic, saying so. Text a step accepts as it is never gets here: a
        description stays a description."""
        answer = self.answer
        if answer is None or not answer.is_typed:
            return False
        topic = self.topic_named(answer.text, threshold=CONFIDENT_THRESHOLD)
        if topic is None or topic == self.session.topic:
            return False
        self.understood()
        self.set_topic_aside()
        self.say(self.phrase_for("switch_topic", topic=topic.text("name", self.session.language)))
        self.start_named_topic(topic, answer.text)
        return True

    # ---- the turn ----

    def take_safely(self, message: Message) -> bool:
        """`take` in a savepoint: a message the turn fails on (a bug, a topic's broken data) is logged and passed,
        and people take the conversation, rather than every later message replaying it and the customer stuck
        with the virtual agent. False when it failed."""
        said = list(self.texts)
        try:
            with transaction.atomic():
                self.take(message)
        except Exception:
            logger.exception("the virtual agent failed on message %s of interaction %s; people take it over",
                             message.pk, self.interaction.pk)  # fmt: skip
            self.interaction.refresh_from_db()
            self.texts, self.asked = said, None
            from virtual_agent.handoff import hand_over_after_failure

            hand_over_after_failure(self)
            return False
        return True

    def take(self, message: Message) -> None:
        answer = self.answer = answer_of(message)
        if not self.session.context.get("greeted"):
            self.session.context["greeted"] = True
            self.start(answer)
            return
        from virtual_agent.commands import command_in

        command = command_in(answer)
        if command is not None:
            from virtual_agent.commands import run_command

            run_command(self, command)
            return
        asked = self.current()
        if asked is None:
            self.show_menu()
            return
        match asked.expects:
            case "menu":
                self.answer_menu(answer, asked)
            case "step":
                self.answer_step(answer, asked)
            case "catalog_question":
                from virtual_agent.sources import answer_catalog_question

                answer_catalog_question(self, answer, asked)
            case "offer_agent":
                self.answer_offer_agent(answer, asked)
            case "offer_case":
                from virtual_agent.handoff import answer_offer_case

                answer_offer_case(self, answer, asked)
            case "notifications":
                from virtual_agent.commands import answer_notifications

                answer_notifications(self, answer, asked)

    def start(self, answer: CustomerAnswer) -> None:
        """Their first message: greeted by name, then the command or topic it names, else the menu."""
        from virtual_agent.commands import command_in, run_command

        self.greet()
        command = command_in(answer)
        if command is not None:
            self.show_menu()
            run_command(self, command)
            return
        named = self.topic_named(answer.text) if answer.is_typed else None
        if named is not None:
            self.start_named_topic(named, answer.text)
            return
        self.show_menu()

    def topic_named(self, text: str, *, threshold: int = FUZZY_THRESHOLD) -> Topic | None:
        """The active topic, in the menu or not, whose name or synonyms the words say (never a bare number)."""
        if not text or text.strip().isdigit():
            return None
        topics = list(Topic.objects.filter(is_active=True))
        candidates = [Candidate(id=topic.key, words=topic.words()) for topic in topics]
        key = match_words(text, candidates, threshold=threshold)
        return next((topic for topic in topics if topic.key == key), None)

    def answer_menu(self, answer: CustomerAnswer, asked: Asked) -> None:
        named = self.topic_named(answer.text) if answer.is_typed else None
        if named is not None:
            self.understood()
            self.start_named_topic(named, answer.text)
            return
        key = self.chosen(answer, asked)
        if key is None:
            return
        topic = Topic.objects.filter(key=key, is_active=True).first()
        if topic is None:
            self.misunderstood(self.phrase_for("not_understood"))
            return
        self.understood()
        self.start_topic(topic)

    def answer_offer_agent(self, answer: CustomerAnswer, asked: Asked) -> None:
        chosen = self.chosen(answer, asked)
        if chosen == "yes":
            from virtual_agent.handoff import hand_over

            hand_over(self, topic_key=self.session.topic.key if self.session.topic else "live-agent")
        elif chosen == "no":
            self.understood()
            before = Asked.from_stored(self.session.context.pop("before_offer", {}))
            if before is None:
                self.show_menu()
            else:
                self.ask(before)

    # ---- topics and their steps ----

    def start_named_topic(self, topic: Topic, said: str) -> None:
        """ "The armrest of my chair is broken" names the topic and is already the description it would ask first."""
        self.start_topic(topic, first_answer=said if len(said.split()) >= WORDS_THAT_DESCRIBE else "")

    def start_topic(self, topic: Topic, *, first_answer: str = "") -> None:
        """`first_answer`: what the customer already said, taken as the answer to a first step asking for text."""
        self.session.topic, self.session.answers = topic, {}
        first = topic.steps.order_by("order", "pk").first()
        if first is None:
            self.show_menu(again=True)
            return
        if first_answer and first.kind == StepKind.TEXT and first.store_as:
            self.session.answers[first.store_as] = first_answer
            self.run_from(self.step_after(first))
            return
        self.run_from(first)

    def steps(self) -> list[Step]:
        cached = getattr(self, "_steps", None)
        if cached is None or (cached and cached[0].topic_id != self.session.topic_id):
            cached = list(self.session.topic.steps.order_by("order", "pk")) if self.session.topic else []
            self._steps = cached
        return cached

    def step_after(self, step: Step, *, next_key: str = "", in_order: bool = False) -> Step | None:
        steps = self.steps()
        key = "" if in_order else next_key or step.next_step
        if key:
            return next((candidate for candidate in steps if candidate.key == key), None)
        position = next(index for index, candidate in enumerate(steps) if candidate.pk == step.pk)
        return steps[position + 1] if position + 1 < len(steps) else None

    def prompt(self, step: Step) -> str:
        """The step's prompt in the customer's language, the answers it names filled in."""
        return self.filled(step.prompt_in(self.session.language))

    def filled(self, text: str) -> str:
        values = {"name": self.customer_name(), **{key: value for key, value in self.session.answers.items()
                                                   if isinstance(value, str | int | float)}}  # fmt: skip
        for key, value in values.items():
            text = text.replace("{" + key + "}", str(value))
        return text

    def run_from(self, step: Step | None) -> None:
        from virtual_agent import sources

        for _ in range(MAX_STEPS_PER_TURN):
            if step is None:
                self.finish_topic()
                return
            self.session.step_key = step.key
            kind = step.kind
            if kind in INPUT_KINDS:
                if not self.ask_step(step):
                    step = self.step_after(step, in_order=True)  # nothing to choose from: the next step says so
                    continue
                return
            if kind == StepKind.CATALOG_QUESTIONS:
                if sources.ask_catalog_question(self, step, index=0):
                    return
            elif kind == StepKind.MESSAGE:
                self.say(self.prompt(step))
            elif kind == StepKind.LINK:
                self.say("\n".join(part for part in (self.prompt(step), step.url) if part))
            elif kind == StepKind.SHOW:
                self.say(sources.shown(self, step))
            elif kind == StepKind.ACTION:
                if not sources.act(self, step):
                    return  # the action asked or handed over itself
                self.say(self.prompt(step))
            elif kind == StepKind.HANDOFF:
                from virtual_agent.handoff import hand_over

                self.say(self.prompt(step))
                hand_over(self, topic_key=step.go_to_topic or self.session.topic.key)
                return
            elif kind == StepKind.END:
                self.say(self.prompt(step) or self.phrase_for("resolved"))
                self.finish_topic()
                return
            elif kind == StepKind.GO_TO:
                topic = Topic.objects.filter(key=step.go_to_topic, is_active=True).first()
                if topic is None:
                    logger.error("step %s goes to topic %r, which does not exist", step, step.go_to_topic)
                    self.finish_topic()
                else:
                    self.say(self.prompt(step))
                    self.start_topic(topic)
                return
            step = self.step_after(step)
        logger.error("topic %s ran %s steps in one turn; its steps loop", self.session.topic, MAX_STEPS_PER_TURN)
        self.finish_topic()

    def finish_topic(self) -> None:
        self.set_topic_aside()
        self.show_menu(again=True)

    def set_topic_aside(self) -> None:
        """What the topic collected, finished or left for another, is kept for the summary a hand-over gives the
        agent."""
        if self.session.topic is not None:
            from virtual_agent.handoff import answers_text

            collected = answers_text(self.session.answers)
            done = f"{self.session.topic.name}" + (f" ({collected})." if collected else ".")
            self.session.context["done"] = [*self.session.context.get("done", []), done][-10:]

    def ask_step(self, step: Step) -> bool:
        """Asks the step's question; False when a choice has nothing to offer (its source found nothing)."""
        from virtual_agent.sources import options_of

        body = self.prompt(step)
        kind = CONTROL_OF_STEP[step.kind]
        if step.kind == StepKind.YES_NO:
            choices = [Choice(id="yes", title=self.phrase_for("yes")), Choice(id="no", title=self.phrase_for("no"))]
            synonyms = _yes_no_synonyms()
            for option in step.options:
                synonyms.setdefault(str(option.get("id")), []).extend(listed(option.get("synonyms", "")))
            self.ask(Asked(expects="step", control=self.choice_control(body, choices, kind=kind), synonyms=synonyms))
            return True
        if step.kind == StepKind.CHOICE:
            options = options_of(self, step)
            if not options:
                return False
            choices = [Choice(id=str(option["id"]),
                              title=step.title_in(self.session.language, str(option["id"]), str(option["title"])),
                              description=str(option.get("description", ""))) for option in options]  # fmt: skip
            synonyms = {str(option["id"]): [str(option["title"]), *listed(option.get("synonyms", ""))]
                        for option in options}  # fmt: skip  # its title as written, when shown translated
            self.ask(Asked(expects="step", control=self.choice_control(body, choices), synonyms=synonyms))
            return True
        if step.kind == StepKind.FILE and step.optional:
            body = f"{body}\n\n{self.phrase_for('file_hint')}"
        self.ask(Asked(expects="step", control=Control(kind=kind, body=body)))
        return True

    def current_step(self) -> Step | None:
        return next((step for step in self.steps() if step.key == self.session.step_key), None)

    def answer_step(self, answer: CustomerAnswer, asked: Asked) -> None:
        step = self.current_step()
        if step is None:
            self.show_menu()
            return
        value = self.value_of(step, answer, asked)
        if value is _NOT_ANSWERED:
            return
        self.understood()
        next_key = ""
        if step.kind in (StepKind.CHOICE, StepKind.YES_NO):
            option = next((option for option in step.options if str(option.get("id")) == value), {})
            next_key = str(option.get("next", ""))
            title = next((choice.title for choice in asked.control.choices if choice.id == value), value)
            if step.store_as:
                self.session.answers[f"{step.store_as}_title"] = title
        if step.kind == StepKind.FILE and value and step.store_as:  # the agent's summary names the file, not its id
            self.session.answers[f"{step.store_as}_title"] = f"{MessageKind(answer.kind).label.lower()} sent"
        if step.store_as:
            self.session.answers[step.store_as] = value
        self.run_from(self.step_after(step, next_key=next_key))

    def value_of(self, step: Step, answer: CustomerAnswer, asked: Asked) -> object:
        """The answer's value for the step, or _NOT_ANSWERED after saying what is wrong and asking again."""
        skipping = answer.is_typed and folded(answer.text) in {
            folded(word) for word in listed(self.phrase_for("skip_words"))
        }
        if step.kind in (StepKind.CHOICE, StepKind.YES_NO):
            chosen = self.chosen(answer, asked)
            return _NOT_ANSWERED if chosen is None else chosen
        if step.optional and skipping:
            return ""
        if step.kind == StepKind.FILE:
            if answer.is_file:
                return answer.message_id
            self.misunderstood(self.phrase_for("file_expected"))
            return _NOT_ANSWERED
        if step.kind == StepKind.LOCATION:
            if answer.location is not None:
                return answer.location
            self.misunderstood(self.phrase_for("location_expected"))
            return _NOT_ANSWERED
        if not answer.is_typed or not answer.text:
            self.misunderstood(self.phrase_for("text_expected"))
            return _NOT_ANSWERED
        if step.kind == StepKind.NUMBER:
            return self.number_of(step, answer.text)
        if step.kind == StepKind.DATE:
            day = parsed_date(answer.text)
            if day is None:
                self.misunderstood(self.phrase_for("date_expected"))
                return _NOT_ANSWERED
            return day.isoformat()
        return answer.text

    def number_of(self, step: Step, text: str) -> object:
        number = parsed_number(text)
        low, high = step.minimum, step.maximum
        if number is None or (low is not None and number < low) or (high is not None and number > high):
            if low is not None and high is not None:
                self.misunderstood(self.phrase_for("number_range", minimum=_plain(low), maximum=_plain(high)))
            else:
                self.misunderstood(self.phrase_for("number_expected"))
            return _NOT_ANSWERED
        return _plain(number)


_NOT_ANSWERED = object()


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _yes_no_synonyms() -> dict[str, list[str]]:
    """Yes and no as customers type them, in the languages the desk ships."""
    return {"yes": ["yes", "y", "yeah", "yep", "ok", "sure", "ja", "si", "sí", "oui"],
            "no": ["no", "n", "nope", "nein", "non", "not really"]}  # fmt: skip


def phrases_of(language: str) -> dict:
    found = CommandLanguage.objects.filter(code=language).values_list("phrases", flat=True).first()
    return found if isinstance(found, dict) else {}


def language_for(interaction: Interaction) -> str:
    """The customer's profile language if the virtual agent speaks it (a command language exists), else English."""
    language = (interaction.channel_user.language or "").split("-")[0].split("_")[0].casefold()
    if language and CommandLanguage.objects.filter(code=language).exists():
        return language
    return "en"


def is_consent_keyword(message: Message) -> bool:
    """STOP, START and the like are the consent rules' (applied as the message was recorded), never an answer."""
    return ConsentRecord.objects.filter(message_id=message.pk).exists()


def answer_customer(message: Message) -> None:
    """The inbound listener: acts on every message of the conversation not yet acted on, up to this one, in order.
    Safe to repeat (a handled message is passed over) and to run concurrently (the interaction's lock)."""
    with transaction.atomic():
        interaction = lock_interaction(message.interaction_id)
        if interaction.automated_responder != VIRTUAL_AGENT or not interaction.is_open:
            return
        session, created = Session.objects.get_or_create(
            interaction=interaction, defaults={"language": language_for(interaction)}
        )
        if session.handled_through >= message.sequence:
            return
        if created and steps_aside_now(interaction):
            session.state = SessionState.HANDED_OFF
            session.handled_through = message.sequence
            session.save()
            from virtual_agent.handoff import route_now

            route_now(interaction)
            return
        waiting = interaction.messages.filter(
            direction=Direction.INBOUND, sequence__gt=session.handled_through, sequence__lte=message.sequence
        ).order_by("sequence")
        conversation = Conversation(interaction, session)
        for customer_message in waiting:
            session.handled_through = customer_message.sequence
            if customer_message.kind in NOT_ANSWERS or is_consent_keyword(customer_message):
                continue
            if not conversation.take_safely(customer_message):
                break
            if session.state != SessionState.ACTIVE:
                break
        if session.state == SessionState.ACTIVE or conversation.texts:
            conversation.flush()
        session.save()


def restart_session(interaction: Interaction, *, topic: Topic | None = None) -> Session:
    """An agent hands the (locked) conversation back: a fresh session from its next message, or the topic now."""
    session, _ = Session.objects.get_or_create(
        interaction=interaction, defaults={"language": language_for(interaction)}
    )
    session.state = SessionState.ACTIVE
    session.topic, session.step_key, session.answers = None, "", {}
    session.context = {"greeted": True}
    session.misunderstandings = 0
    session.handled_through = interaction.last_sequence
    conversation = Conversation(interaction, session)
    if topic is not None:
        conversation.start_topic(topic)
    else:
        conversation.show_menu()
    conversation.flush()
    session.save()
    return session
