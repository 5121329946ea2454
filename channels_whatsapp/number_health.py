"""Keeping each business number's health current: the periodic check through the Graph API, a send Meta refused
for the number's own sake, and the account webhooks (`phone_number_quality_update`,
`message_template_status_update`, `message_template_quality_update`).

Every change of state leaves a HealthEvent for the panel's history, and makes this process read health afresh.
"""

import logging
import re
from collections.abc import Collection
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from channels_whatsapp.client import GraphApiError, GraphApiUnreachable
from channels_whatsapp.connection import active_business_numbers, graph_client_for
from channels_whatsapp.connection_check import problem_in_words
from channels_whatsapp.errors import ADMIN_FIXABLE_CODES
from channels_whatsapp.models import BusinessNumber, HealthEvent, HealthEventKind, NumberHealth, TokenState
from channels_whatsapp.payloads import NumberQualityUpdate, TemplateQualityUpdate, TemplateStatusUpdate
from interactions.channel_health import forget_channel_health
from interactions.encrypted_fields import UnreadableSecret
from interactions.events import TemplateChange
from interactions.services.templates import apply_template_change

logger = logging.getLogger(__name__)

CHANNEL = "whatsapp"
_NON_DIGITS = re.compile(r"\D")

# Meta's template events, as the core's template statuses; None: the status it had stands (FLAGGED warns that a
# pause may follow; LOCKED only stops edits).
TEMPLATE_STATUS_BY_EVENT = {
    "APPROVED": "approved",
    "REINSTATED": "approved",
    "UNPAUSED": "approved",
    "REJECTED": "rejected",
    "PENDING": "pending",
    "IN_APPEAL": "pending",
    "PAUSED": "paused",
    "DISABLED": "disabled",
    "PENDING_DELETION": "other",
    "ARCHIVED": "other",
}
TEMPLATE_EVENTS_TO_WATCH = {"PAUSED", "DISABLED", "REJECTED", "FLAGGED", "PENDING_DELETION"}
TEMPLATE_QUALITY_BY_SCORE = {"GREEN": "high", "YELLOW": "medium", "RED": "low", "UNKNOWN": "unknown"}


def health_of(number: BusinessNumber) -> NumberHealth:
    health, _ = NumberHealth.objects.get_or_create(number=number)
    return health


def _record(number: BusinessNumber, kind: str, summary: str, *, is_problem: bool, at: datetime | None = None) -> None:
    """Once per event: Meta may deliver the same change again."""
    HealthEvent.objects.get_or_create(
        number=number,
        kind=kind,
        summary=summary[:500],
        occurred_at=at or timezone.now(),
        defaults={"is_problem": is_problem},
    )


def _set_token_state(health: NumberHealth, *, state: str, problem: str = "", code: str = "") -> None:
    """Call inside a transaction holding the row."""
    if health.token_state == state and health.token_problem == problem:
        return
    health.token_state, health.token_problem, health.token_error_code = state, problem, code
    health.token_state_since = timezone.now()
    if state == TokenState.REFUSED:
        _record(health.number, HealthEventKind.TOKEN, f"Meta refused the number's requests: {problem}", is_problem=True)
    elif state == TokenState.VALID:
        _record(health.number, HealthEventKind.TOKEN, "Meta accepts the access token", is_problem=False)


def check_number_health(*, number: BusinessNumber) -> NumberHealth:
    """Asks Meta about the number with its own token (`GET /{phone-number-id}`): whether the token works, the
    quality rating and the messaging limit. Never raises for Meta's answers."""
    info, problem, code = None, "", ""
    try:
        info = graph_client_for(number).phone_number_info(phone_number_id=number.phone_number_id)
    except UnreadableSecret:
        problem = "The access token cannot be read (its key is gone from FIELD_ENCRYPTION_KEYS): enter it again."
        state, code = TokenState.REFUSED, "unreadable"
    except (GraphApiError, GraphApiUnreachable) as error:
        problem = problem_in_words(error, what="phone number", node=number.phone_number_id)
        code = str(error.code or "") if isinstance(error, GraphApiError) else "unreachable"
        refused = isinstance(error, GraphApiError) and (
            error.code in ADMIN_FIXABLE_CODES or error.code == 100 or (200 <= (error.code or 0) <= 299)
        )
        state = TokenState.REFUSED if refused else TokenState.UNCHECKED
    else:
        state = TokenState.VALID
    with transaction.atomic():
        health = NumberHealth.objects.select_for_update().get(pk=health_of(number).pk)
        health.number = number
        _set_token_state(health, state=state, problem=problem, code=code)
        health.checked_at = timezone.now()
        if info is not None:
            _note_standing(health, quality_rating=info.quality_rating, messaging_limit=info.messaging_limit)
        health.save()
    forget_channel_health()
    return health


def _note_standing(health: NumberHealth, *, quality_rating: str, messaging_limit: str) -> None:
    changes = []
    if quality_rating and quality_rating != health.quality_rating:
        if health.quality_rating:
            changes.append(f"quality rating {health.quality_rating} → {quality_rating}")
        health.quality_rating = quality_rating
    if messaging_limit and messaging_limit != health.messaging_limit:
        if health.messaging_limit:
            changes.append(f"messaging limit {health.messaging_limit} → {messaging_limit}")
        health.messaging_limit = messaging_limit
    if changes:
        _record(
            health.number,
            HealthEventKind.QUALITY,
            "Meta reports " + ", ".join(changes),
            is_problem=quality_rating == "RED",
        )


def check_all_numbers() -> int:
    numbers = active_business_numbers()
    for number in numbers:
        try:
            check_number_health(number=number)
        except Exception:  # one number's failure never keeps the others unchecked
            logger.exception("could not check the health of business number %s", number.phone_number_id)
    return len(numbers)


def note_refused_send(*, number: BusinessNumber, error: GraphApiError) -> None:
    """A send or read receipt Meta refused for the number's own sake (a revoked token, a locked account): the
    number is known broken now, not at the next check. A hint: never the send's failure."""
    if error.code not in ADMIN_FIXABLE_CODES:
        return
    try:
        with transaction.atomic():
            health = health_of(number)
            health = NumberHealth.objects.select_for_update().get(pk=health.pk)
            _set_token_state(
                health,
                state=TokenState.REFUSED,
                problem=problem_in_words(error, what="phone number", node=number.phone_number_id),
                code=str(error.code),
            )
            health.save()
        forget_channel_health()
    except Exception:
        logger.exception("could not record that Meta refused business number %s", number.phone_number_id)


def _signing_numbers(*, waba_id: str, signed_for: Collection[str]) -> list[BusinessNumber]:
    """The account's numbers whose app secret signed the delivery: an account event speaks only for them."""
    return list(BusinessNumber.objects.filter(waba_id=waba_id, phone_number_id__in=list(signed_for)))


def _digits(text: str) -> str:
    return _NON_DIGITS.sub("", text)


def apply_quality_update(event: NumberQualityUpdate, *, signed_for: Collection[str]) -> str:
    """Meta changed the number's messaging limit or flagged its quality. Returns why it was refused, or ""."""
    numbers = [
        number
        for number in _signing_numbers(waba_id=event.waba_id, signed_for=signed_for)
        if _digits(number.display_phone_number) == _digits(event.display_phone_number)
    ]
    if not numbers:
        return (
            f"phone_number_quality_update for {event.display_phone_number!r} of account {event.waba_id!r} refused: "
            "no business number of that account and display number signed the delivery"
        )
    for number in numbers:
        with transaction.atomic():
            health = health_of(number)
            health = NumberHealth.objects.select_for_update().get(pk=health.pk)
            seen = health.quality_event_at
            if seen is not None and (
                seen > event.timestamp or (seen == event.timestamp and health.quality_event == event.event)
            ):
                continue  # older than what is known, or this very event delivered again
            old = event.old_limit or health.messaging_limit
            health.quality_event, health.quality_event_at = event.event, event.timestamp
            if event.current_limit:
                health.messaging_limit = event.current_limit
            health.save()
            changed = event.current_limit and old != event.current_limit
            limit = f"; messaging limit {old or '?'} → {event.current_limit}" if changed else ""
            _record(
                number,
                HealthEventKind.QUALITY,
                f"Meta: {event.event.lower().replace('_', ' ')}{limit}",
                is_problem=event.event in ("FLAGGED", "DOWNGRADE"),
                at=event.timestamp,
            )
    forget_channel_health()
    return ""


def apply_template_update(event: TemplateStatusUpdate | TemplateQualityUpdate, *, signed_for: Collection[str]) -> str:
    """A template's new status or quality, applied to the synced templates at once. Returns why it was refused."""
    numbers = _signing_numbers(waba_id=event.waba_id, signed_for=signed_for)
    if not numbers:
        return (
            f"{type(event).__name__} for account {event.waba_id!r} refused: no business number of that account "
            "signed the delivery"
        )
    if isinstance(event, TemplateStatusUpdate):
        change = TemplateChange(
            account_ids=tuple(number.phone_number_id for number in numbers),
            external_id=event.template_id,
            name=event.name,
            language=event.language,
            status=TEMPLATE_STATUS_BY_EVENT.get(event.event),
            reason=event.reason,
        )
        what = f"Template {event.name} ({event.language}): {event.event.lower().replace('_', ' ')}"
        if event.reason and event.reason.upper() != "NONE":
            what += f" ({event.reason.lower().replace('_', ' ')})"
        kind, is_problem = HealthEventKind.TEMPLATE_STATUS, event.event in TEMPLATE_EVENTS_TO_WATCH
    else:
        change = TemplateChange(
            account_ids=tuple(number.phone_number_id for number in numbers),
            external_id=event.template_id,
            name=event.name,
            language=event.language,
            quality=TEMPLATE_QUALITY_BY_SCORE.get(event.new_quality, "unknown"),
        )
        what = f"Template {event.name} ({event.language}): quality {event.previous_quality} → {event.new_quality}"
        kind, is_problem = HealthEventKind.TEMPLATE_QUALITY, event.new_quality == "RED"
    with transaction.atomic():
        apply_template_change(channel=CHANNEL, change=change)
        for number in numbers:
            _record(number, kind, what, is_problem=is_problem, at=event.timestamp)
    forget_channel_health()
    return ""
