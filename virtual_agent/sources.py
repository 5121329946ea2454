"""What steps draw on, by the name a step's `source` gives: the options of a choice, what a show step shows, what
an action does. The customer service data (customer_service/) is read and written only here, through its
services; a new topic built from these and the generic steps needs no code.

Options: `knowledge_results` (the answers found for the `query` answer), `catalog_categories`, `catalog_items`
(of the chosen `category`), `open_cases`. Shows: `knowledge_result` (the chosen `result`, readable, with its
link), `open_cases`. Actions: `open_case` (from `short_description` and an optional `attachment`),
`submit_catalog_request` (the chosen `item` and the catalog questions' answers), `add_case_comment` (to the chosen
`case`: `comment` and an optional `attachment`).
"""

import logging

from customer_service.errors import InputRefused
from customer_service.models import CatalogCategory, CatalogItem, CatalogQuestion
from customer_service.services.cases import add_case_comment, open_case, open_cases_for
from customer_service.services.catalog import (
    active_categories,
    active_items,
    questions_of,
    submit_request,
    validate_answer,  # fmt: skip
)
from customer_service.services.contacts import contact_for
from customer_service.services.search import search_answers
from interactions.controls import Choice, Control, ControlKind
from interactions.models import ChannelUser, MessageAttachment
from virtual_agent.answers import CustomerAnswer
from virtual_agent.engine import CATALOG_QUESTION, Asked, Conversation
from virtual_agent.models import Step

logger = logging.getLogger(__name__)

CONTROL_OF_QUESTION = {"text": ControlKind.TEXT, "choice": ControlKind.CHOICE, "number": ControlKind.NUMBER,
                       "date": ControlKind.DATE, "yes_no": ControlKind.YES_NO}  # fmt: skip


def contact_name(channel_user: ChannelUser) -> str:
    """The recognised contact's first name; empty for a customer the desk does not know by name."""
    contact = contact_for(channel_user)
    return contact.first_name if contact is not None else ""


# ---- options ----


def options_of(conversation: Conversation, step: Step) -> list[dict]:
    """A choice step's options: its own, else its source's. With none, the engine goes on to the next step in order
    (which says so)."""
    if not step.source:
        return list(step.options)
    source = OPTION_SOURCES.get(step.source)
    if source is None:
        logger.error("step %s names the unknown option source %r", step, step.source)
        return []
    return source(conversation)


def _knowledge_results(conversation: Conversation) -> list[dict]:
    hits = search_answers(str(conversation.session.answers.get("query", "")), limit=3)
    conversation.session.context["hits"] = {
        f"{hit.kind}:{hit.pk}": {"title": hit.title, "snippet": hit.snippet, "url": hit.url} for hit in hits
    }
    return [{"id": f"{hit.kind}:{hit.pk}", "title": hit.title, "description": hit.snippet} for hit in hits]


def _catalog_categories(conversation: Conversation) -> list[dict]:
    return [{"id": str(category.pk), "title": category.name, "description": category.description}
            for category in active_categories()]  # fmt: skip


def _catalog_items(conversation: Conversation) -> list[dict]:
    category = CatalogCategory.objects.filter(pk=_number(conversation.session.answers.get("category"))).first()
    if category is None:
        return []
    return [{"id": str(item.pk), "title": item.name, "description": item.description}
            for item in active_items(category)]  # fmt: skip


def _open_cases(conversation: Conversation) -> list[dict]:
    return [{"id": case.number, "title": case.number, "description": case.short_description}
            for case in open_cases_for(conversation.interaction.channel_user)]  # fmt: skip


OPTION_SOURCES = {
    "knowledge_results": _knowledge_results,
    "catalog_categories": _catalog_categories,
    "catalog_items": _catalog_items,
    "open_cases": _open_cases,
}


# ---- shows ----


def shown(conversation: Conversation, step: Step) -> str:
    source = SHOWN_SOURCES.get(step.source)
    if source is None:
        logger.error("step %s names the unknown show source %r", step, step.source)
        return conversation.prompt(step)
    return "\n\n".join(part for part in (conversation.prompt(step), source(conversation)) if part)


def _knowledge_result(conversation: Conversation) -> str:
    chosen = conversation.session.answers.get("result", "")
    hit = conversation.session.context.get("hits", {}).get(chosen)
    if hit is None:
        return ""
    return "\n".join([f"*{hit['title']}*", hit["snippet"], conversation.phrase_for("read_more", url=hit["url"])])


def open_cases_text(conversation: Conversation) -> str:
    cases = open_cases_for(conversation.interaction.channel_user)
    if not cases:
        return conversation.phrase_for("status_none")
    lines = [f"{case.number}: {case.short_description} ({case.get_state_display().lower()})" for case in cases]
    return conversation.phrase_for("status_list", cases="\n".join(lines))


SHOWN_SOURCES = {"knowledge_result": _knowledge_result, "open_cases": open_cases_text}


# ---- actions ----


def act(conversation: Conversation, step: Step) -> bool:
    """Runs the step's action; False when it could not and has said why (the topic then ends with the menu)."""
    action = ACTIONS.get(step.source)
    if action is None:
        logger.error("step %s names the unknown action %r", step, step.source)
        return True
    try:
        action(conversation)
    except InputRefused as refused:
        conversation.say(str(refused))
        conversation.finish_topic()
        return False
    return True


def _attachments(conversation: Conversation) -> list[MessageAttachment]:
    message_id = conversation.session.answers.get("attachment")
    if not message_id:
        return []
    return list(MessageAttachment.objects.filter(message_id=message_id, message__interaction=conversation.interaction))


def _open_case(conversation: Conversation) -> None:
    answers = conversation.session.answers
    case = open_case(
        short_description=str(answers.get("short_description", "")),
        description=str(answers.get("description", "")),
        channel_user=conversation.interaction.channel_user,
        interaction=conversation.interaction,
        attachments=_attachments(conversation),
    )
    answers["case"] = case.number


def _submit_catalog_request(conversation: Conversation) -> None:
    answers = conversation.session.answers
    item = CatalogItem.objects.filter(pk=_number(answers.get("item"))).first()
    if item is None:
        raise InputRefused(conversation.phrase_for("not_understood"))
    request = submit_request(
        item=item,
        answers={int(pk): value for pk, value in answers.get("catalog_answers", {}).items()},
        channel_user=conversation.interaction.channel_user,
        interaction=conversation.interaction,
    )
    answers["request"] = request.number


def _add_case_comment(conversation: Conversation) -> None:
    answers = conversation.session.answers
    case = next(
        (case for case in open_cases_for(conversation.interaction.channel_user) if case.number == answers.get("case")),
        None,
    )
    if case is None:
        raise InputRefused(conversation.phrase_for("no_cases_to_update"))
    add_case_comment(case, text=str(answers.get("comment", "")), attachments=_attachments(conversation))


ACTIONS = {
    "open_case": _open_case,
    "submit_catalog_request": _submit_catalog_request,
    "add_case_comment": _add_case_comment,
}


# ---- the catalog item's questions, in turn ----


def ask_catalog_question(conversation: Conversation, step: Step, *, index: int) -> bool:
    """Asks the chosen item's question at `index`; False when there is none left (the step is done)."""
    item = CatalogItem.objects.filter(pk=_number(conversation.session.answers.get("item"))).first()
    questions = questions_of(item) if item is not None else []
    if index >= len(questions):
        return False
    question = questions[index]
    conversation.session.context["catalog_question"] = {"index": index, "question": question.pk}
    kind = CONTROL_OF_QUESTION.get(question.kind, ControlKind.TEXT)
    body = question.label + ("" if question.required else "\n\n(Optional: type skip.)")
    if question.kind == "choice":
        choices = [Choice(id=str(number), title=str(choice)) for number, choice in enumerate(question.choices, 1)]
        control = conversation.choice_control(body, choices)
    elif question.kind == "yes_no":
        choices = [
            Choice(id="yes", title=conversation.phrase_for("yes")),
            Choice(id="no", title=conversation.phrase_for("no")),
        ]
        control = conversation.choice_control(body, choices, kind=ControlKind.YES_NO)
    else:
        control = Control(kind=kind, body=body)
    conversation.ask(Asked(expects=CATALOG_QUESTION, control=control))
    return True


def answer_catalog_question(conversation: Conversation, answer: CustomerAnswer, asked: Asked) -> None:
    """Checked by the catalog's own rules (`validate_answer`); a wrong answer is re-asked with the reason."""
    where = conversation.session.context.get("catalog_question", {})
    question = CatalogQuestion.objects.filter(pk=where.get("question")).first()
    step = conversation.current_step()
    if question is None or step is None:
        conversation.show_menu()
        return
    if answer.is_file:
        conversation.misunderstood(conversation.phrase_for("text_expected"))
        return
    raw = answer.text
    if answer.choice_id and question.kind == "choice" and answer.choice_id.isdigit():
        raw = answer.choice_id  # the choice's number, which the catalog reads as that choice
    elif answer.choice_id in ("yes", "no"):
        raw = answer.choice_id
    check = validate_answer(question, raw)
    if not check.ok:
        conversation.misunderstood(check.reason)
        return
    conversation.understood()
    conversation.session.answers.setdefault("catalog_answers", {})[str(question.pk)] = check.value
    conversation.session.answers[question.label] = check.value  # for the summary the agent reads
    if ask_catalog_question(conversation, step, index=where.get("index", 0) + 1):
        return
    conversation.run_from(conversation.step_after(step))


def _number(value: object) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() else None
