"""The service catalog as the virtual agent and agents walk it: categories → items → questions, each answer
checked as it is given, and the request submitted with every answer checked again."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from customer_service.errors import InputRefused
from customer_service.models import (
    CatalogCategory,
    CatalogItem,
    CatalogQuestion,
    CatalogRequest,
    CatalogRequestAnswer,
    CatalogRequestState,
    NotificationEvent,
    QuestionKind,
)
from customer_service.numbers import MAX_DIGITS, has_too_many_digits, parsed_number
from customer_service.services.contacts import contact_for
from customer_service.services.notifications import CustomerNews, customer_name, sweep_from, tell_customer
from customer_service.services.numbering import allocate_number
from interactions.customer_formats import customer_date
from interactions.services.timeline import lock_channel_user, lock_interaction
from interactions.storable_text import storable_text

YES_WORDS = frozenset({"yes", "y", "yeah", "yep", "ok", "sure", "ja", "si", "sí", "oui", "sim", "da", "tak"})
NO_WORDS = frozenset({"no", "n", "nope", "nein", "non", "não", "nao", "nee", "nie", "net"})
SKIP_WORDS = frozenset({"", "skip", "-", "none", "n/a"})
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%y", "%d/%m/%y")


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswerCheck:
    """`value` is the answer in its canonical form (the choice's own words, 12.5, 2026-12-24, yes/no), which
    checks as valid again; `reason`, when not ok, is written for the customer and says what would be."""

    ok: bool
    value: str = ""
    reason: str = ""


def active_categories() -> list[CatalogCategory]:
    """Categories with at least one active item, in their order."""
    active_item = CatalogItem.objects.filter(category=OuterRef("pk"), is_active=True)
    return list(CatalogCategory.objects.filter(Exists(active_item)))


def catalog_tree() -> list[CatalogCategory]:
    """Every category with active items, each with `active_items` and their questions, in three queries."""
    items = CatalogItem.objects.filter(is_active=True).prefetch_related("questions")
    categories = CatalogCategory.objects.prefetch_related(Prefetch("items", items, to_attr="active_items"))
    return [category for category in categories if category.active_items]


def active_items(category: CatalogCategory) -> list[CatalogItem]:
    return list(category.items.filter(is_active=True))


def questions_of(item: CatalogItem) -> list[CatalogQuestion]:
    return list(item.questions.all())


def validate_answer(question: CatalogQuestion, raw: object) -> AnswerCheck:
    text = storable_text(" ".join(str(raw if raw is not None else "").split()))
    if text.lower() in SKIP_WORDS:
        if question.required:
            return AnswerCheck(ok=False, reason=f"Please answer: {question.label}")
        return AnswerCheck(ok=True, value="")
    check = _CHECKS[question.kind]
    return check(question, text)


def _check_text(question: CatalogQuestion, text: str) -> AnswerCheck:
    if question.max_length is not None and len(text) > question.max_length:
        return AnswerCheck(ok=False, reason=f"That is {len(text)} characters; please keep it to {question.max_length}.")
    return AnswerCheck(ok=True, value=text)


def _check_choice(question: CatalogQuestion, text: str) -> AnswerCheck:
    """The choice's number (as listed, from 1), its words in any case, or the one choice those words begin."""
    choices = [str(choice) for choice in question.choices]
    folded = text.casefold().rstrip(".")
    if re.fullmatch(r"[0-9]{1,6}", folded) and 1 <= int(folded) <= len(choices):
        return AnswerCheck(ok=True, value=choices[int(folded) - 1])
    exact = [choice for choice in choices if choice.casefold() == folded]
    starting = [choice for choice in choices if choice.casefold().startswith(folded)]
    for found in (exact, starting):
        if len(found) == 1:
            return AnswerCheck(ok=True, value=found[0])
    listed = ", ".join(f"{number} {choice}" for number, choice in enumerate(choices, start=1))
    return AnswerCheck(ok=False, reason=f"Please choose one of: {listed} (its number or its name).")


def _check_number(question: CatalogQuestion, text: str) -> AnswerCheck:
    if has_too_many_digits(text):
        return AnswerCheck(ok=False, reason=f"That number is too long; please use at most {MAX_DIGITS} digits.")
    number = parsed_number(text)
    if number is None:
        return AnswerCheck(ok=False, reason=f"Please answer with a number, e.g. {_example_number(question)}.")
    low, high = question.min_value, question.max_value
    if (low is not None and number < low) or (high is not None and number > high):
        return AnswerCheck(ok=False, reason=f"Please give a number {_range_words(low, high)}.")
    return AnswerCheck(ok=True, value=_plain(number))


def _example_number(question: CatalogQuestion) -> str:
    return _plain(question.min_value) if question.min_value is not None else "2"


def _range_words(low: Decimal | None, high: Decimal | None) -> str:
    if low is not None and high is not None:
        return f"from {_plain(low)} to {_plain(high)}"
    return f"of at least {_plain(low)}" if low is not None else f"of at most {_plain(high)}"


def _plain(number: Decimal | int) -> str:
    return format(Decimal(number).normalize(), "f")


def _check_date(question: CatalogQuestion, text: str) -> AnswerCheck:
    """Day before month when written with dots or slashes (24/12/2026), as most of the world writes dates."""
    today = timezone.localdate()
    day = _parse_date(text.casefold(), today)
    if day is None:
        example = (today + timedelta(days=max(question.min_days_ahead or 1, 0))).strftime("%d/%m/%Y")
        return AnswerCheck(ok=False, reason=f"Please write a date as day/month/year, e.g. {example}.")
    earliest = today + timedelta(days=question.min_days_ahead) if question.min_days_ahead is not None else None
    latest = today + timedelta(days=question.max_days_ahead) if question.max_days_ahead is not None else None
    if earliest is not None and day < earliest:
        return AnswerCheck(ok=False, reason=f"The earliest date possible is {customer_date(earliest)}.")
    if latest is not None and day > latest:
        return AnswerCheck(ok=False, reason=f"The latest date possible is {customer_date(latest)}.")
    return AnswerCheck(ok=True, value=day.isoformat())


def _parse_date(text: str, today: date) -> date | None:
    relative = {"today": 0, "heute": 0, "hoy": 0, "tomorrow": 1, "morgen": 1, "mañana": 1, "manana": 1}
    if text in relative:
        return today + timedelta(days=relative[text])
    text = re.sub(r"\s+", "", text)
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _check_yes_no(question: CatalogQuestion, text: str) -> AnswerCheck:
    folded = text.casefold().strip(" .!")
    if folded in YES_WORDS:
        return AnswerCheck(ok=True, value="yes")
    if folded in NO_WORDS:
        return AnswerCheck(ok=True, value="no")
    return AnswerCheck(ok=False, reason="Please answer yes or no.")


_CHECKS = {
    QuestionKind.TEXT: _check_text,
    QuestionKind.CHOICE: _check_choice,
    QuestionKind.NUMBER: _check_number,
    QuestionKind.DATE: _check_date,
    QuestionKind.YES_NO: _check_yes_no,
}


@transaction.atomic
def submit_request(
    *,
    item: CatalogItem,
    answers: Mapping[int | CatalogQuestion, object],
    channel_user=None,
    contact=None,
    interaction=None,
    requested_by=None,
) -> CatalogRequest:
    """`answers` maps each question (or its id) to what was answered; every answer is checked again and every
    problem reported at once, so nothing half-valid is stored. `requested_by` is the agent acting for the customer."""
    if not item.is_active:
        raise InputRefused(f"{item.name} cannot be requested any more.")
    not_ids = [key for key in answers if not isinstance(key, CatalogQuestion | int) and not _is_id(key)]
    if not_ids:
        raise InputRefused(f"Answers are keyed by question id; {not_ids[0]!r} is not one.")
    given = {(key.pk if isinstance(key, CatalogQuestion) else int(key)): raw for key, raw in answers.items()}
    questions = questions_of(item)
    unknown = set(given) - {question.pk for question in questions}
    problems = [f"Question {pk} is not one of {item.name}'s." for pk in sorted(unknown)]
    checked: list[tuple[CatalogQuestion, AnswerCheck]] = []
    for question in questions:
        check = validate_answer(question, given.get(question.pk))
        if not check.ok:
            problems.append(f"{question.label}: {check.reason}")
        checked.append((question, check))
    # The customer before the counter (allocate_number's lock is the last): see services/numbering.py.
    if interaction is not None:
        interaction = lock_interaction(interaction.pk)
        channel_user = channel_user or interaction.channel_user
    elif channel_user is not None:
        lock_channel_user(channel_user.pk)
    contact = contact or contact_for(channel_user)
    if channel_user is None and contact is None:
        problems.append("A request needs a customer: a channel user or a contact.")
    if problems:
        raise InputRefused(*problems)
    request = CatalogRequest.objects.create(
        number=allocate_number("REQ"),
        item=item,
        channel_user=channel_user,
        contact=contact,
        interaction=interaction,
        requested_by=requested_by,
    )
    CatalogRequestAnswer.objects.bulk_create(
        CatalogRequestAnswer(request=request, question=question, label=question.label, value=check.value)
        for question, check in checked
    )
    return request


def _is_id(key: object) -> bool:
    return isinstance(key, str) and re.fullmatch(r"[0-9]{1,18}", key) is not None


def requests_for(channel_user, *, limit: int = 20) -> list[CatalogRequest]:
    return list(
        CatalogRequest.objects.filter(channel_user=channel_user)
        .select_related("item")
        .prefetch_related(Prefetch("answers", to_attr="answer_list"))[:limit]
    )


@transaction.atomic
def change_request_state(request: CatalogRequest, *, state: str) -> CatalogRequest:
    """The customer hears of it on their channel once it commits, if its notification rule is on (it ships off)."""
    if state not in CatalogRequestState.values:
        raise InputRefused(f"{state!r} is not a request state.")
    request = CatalogRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
    if request.state == state:
        return request
    request.state = state
    request.state_changes += 1
    request.save(update_fields=["state", "state_changes", "updated_at"])
    if request.channel_user_id is not None:
        # Robust, and a lambda: as a case's state change (services/cases.py).
        request_id, change = request.pk, request.state_changes
        transaction.on_commit(lambda: tell_customer(_request_news(request_id, change, state)), robust=True)
    return request


def _request_news(request_id: int, state_change: int, state: str) -> CustomerNews:
    request = CatalogRequest.objects.select_related("channel_user", "item").get(pk=request_id)
    label = CatalogRequestState(state).label.lower()
    return CustomerNews(
        event=NotificationEvent.CATALOG_REQUEST_STATE_CHANGED,
        channel_user=request.channel_user,
        idempotency_key=_request_idempotency_key(request.pk, state_change),
        reason=f"Request {request.number} is now {label}",
        values={
            "customer_name": customer_name(request.channel_user),
            "request_number": request.number,
            "item": request.item.name,
            "state": label,
        },
    )


def _request_idempotency_key(request_id: int, state_change: int) -> str:
    return f"catalog-request:{request_id}:state-change:{state_change}"


def unannounced_request_changes(
    *, since: timedelta = timedelta(days=1), older_than: timedelta = timedelta(minutes=2)
) -> list[CatalogRequest]:
    """Requests whose latest state change has no notification on record, as the rule allows (see cases.py)."""
    from interactions.models import Notification

    now = timezone.now()
    earliest = sweep_from(NotificationEvent.CATALOG_REQUEST_STATE_CHANGED, now - since)
    if earliest is None:
        return []
    recent = list(
        CatalogRequest.objects.filter(
            channel_user__isnull=False, state_changes__gt=0, updated_at__gte=earliest, updated_at__lte=now - older_than
        )
    )
    keys = {request.pk: _request_idempotency_key(request.pk, request.state_changes) for request in recent}
    told = set(Notification.objects.filter(idempotency_key__in=keys.values()).values_list("idempotency_key", flat=True))
    return [request for request in recent if keys[request.pk] not in told]


def notify_unannounced_request_changes() -> int:
    """The periodic sweep's part for requests; telling twice is harmless (the idempotency key)."""
    requests = unannounced_request_changes()
    for request in requests:
        tell_customer(_request_news(request.pk, request.state_changes, request.state))
    return len(requests)
