"""What the customer hears of an event, as its notification rule words it: the rule says whether to tell at all,
the text in the customer's language and the template with its values. Whether the text or the template may go
out (consent, the 24-hour window) stays the core's decision in `send_system_message`; this only chooses words."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from customer_service.models import NotificationEvent, NotificationRule
from customer_service.notification_defaults import DEFAULT_RULES
from interactions.models import ChannelUser, MessageTemplate, TemplateStatus
from interactions.services.templates import parameter_slots

# The words each event can fill in, with what they stand for (shown to the admin editing the rule).
PLACEHOLDERS: dict[str, dict[str, str]] = {
    NotificationEvent.CASE_STATE_CHANGED: {
        "customer_name": "the customer's name on their channel (or “there”)",
        "case_number": "e.g. CS0001001",
        "case_description": "the case's short description",
        "state": "the case's new state, e.g. resolved",
    },
    NotificationEvent.CASE_COMMENT: {
        "customer_name": "the customer's name on their channel (or “there”)",
        "case_number": "e.g. CS0001001",
        "case_description": "the case's short description",
        "comment": "the agent's comment (on one line, at most 800 characters, in a template)",
    },
    NotificationEvent.CATALOG_REQUEST_STATE_CHANGED: {
        "customer_name": "the customer's name on their channel (or “there”)",
        "request_number": "e.g. REQ0001001",
        "item": "the requested item's name",
        "state": "the request's new state, e.g. fulfilled",
    },
}
FALLBACK_LANGUAGE = "en"
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
# A template value is one line (the channel refuses line breaks in it), and short enough for the body's limit.
TEMPLATE_VALUE_LENGTH = 800


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleText:
    text: str
    template_language: str  # empty: the rule's


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """A notification rule as stored, or its shipped default when no row is stored."""

    event: str
    enabled: bool
    enabled_at: datetime | None
    template_name: str
    template_language: str
    template_parameters: tuple[str, ...]
    texts: Mapping[str, RuleText]


@dataclass(frozen=True, slots=True, kw_only=True)
class Words:
    """What one customer is sent: `text` in their window, else the template with its body values."""

    text: str
    template_name: str
    template_language: str
    template_values: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerNews:
    """An event the customer may hear of; `values` fill the rule's placeholders. The key makes it tell once."""

    event: str
    channel_user: ChannelUser
    idempotency_key: str
    reason: str
    values: Mapping[str, str]


def parameter_names(raw: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in raw.split(",") if name.strip())


def rule_for(event: str) -> Rule:
    stored = NotificationRule.objects.filter(event=event).prefetch_related("texts").first()
    if stored is None:
        default = DEFAULT_RULES[NotificationEvent(event)]
        return Rule(
            event=event,
            enabled=default["enabled"],
            enabled_at=None,
            template_name=default["template_name"],
            template_language=default["template_language"],
            template_parameters=parameter_names(default["template_parameters"]),
            texts={language: RuleText(text=text, template_language="") for language, text in default["texts"].items()},
        )
    return Rule(
        event=stored.event,
        enabled=stored.enabled,
        enabled_at=stored.enabled_at,
        template_name=stored.template_name,
        template_language=stored.template_language,
        template_parameters=parameter_names(stored.template_parameters),
        texts={
            row.language: RuleText(text=row.text, template_language=row.template_language) for row in stored.texts.all()
        },
    )


def language_of(channel_user: ChannelUser) -> str:
    """The primary subtag of the customer's profile language (pt-BR → pt), as the virtual agent reads it."""
    return (channel_user.language or "").split("-")[0].split("_")[0].casefold()


def fill(text: str, values: Mapping[str, str]) -> str:
    """Known {placeholders} filled in; anything else in braces is left as written (validation refuses unknown ones)."""
    return PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), match.group(0))), text)


def _one_line(value: str) -> str:
    one_line = " ".join(str(value).split())
    if len(one_line) > TEMPLATE_VALUE_LENGTH:
        one_line = one_line[: TEMPLATE_VALUE_LENGTH - 1] + "…"
    return one_line


def words_for(rule: Rule, *, language: str, values: Mapping[str, str]) -> Words:
    """The text of the customer's language, else the English one."""
    chosen = rule.texts.get(language)
    if chosen is None or not chosen.text.strip():
        chosen = rule.texts.get(FALLBACK_LANGUAGE, RuleText(text="", template_language=""))
    return Words(
        text=fill(chosen.text, values),
        template_name=rule.template_name,
        template_language=chosen.template_language or rule.template_language,
        template_values=tuple(_one_line(values.get(name, "")) for name in rule.template_parameters),
    )


def tell_customer(news: CustomerNews) -> None:
    """Enqueues the message if the event's rule is on; when it is off, nothing is sent or recorded."""
    from interactions.task_queue import enqueue_task
    from interactions.tasks import send_system_message

    rule = rule_for(news.event)
    if not rule.enabled:
        return
    words = words_for(rule, language=language_of(news.channel_user), values=news.values)
    enqueue_task(
        send_system_message,
        channel_user_id=news.channel_user.pk,
        reason=news.reason,
        idempotency_key=news.idempotency_key,
        text=words.text,
        template_name=words.template_name,
        template_language=words.template_language,
        template_values={"body": list(words.template_values)},
    )


def sweep_from(event: str, earliest: datetime) -> datetime | None:
    """From when the sweep tells this event's lost notifications (None: not at all, the rule is off): never an
    event made before the rule was last switched on, while it was off."""
    rule = rule_for(event)
    if not rule.enabled:
        return None
    return max(earliest, rule.enabled_at) if rule.enabled_at is not None else earliest


def customer_name(channel_user: ChannelUser) -> str:
    return channel_user.display_name or "there"


# Checking a rule as an admin edits it: each problem a sentence saying what to change.


def parameter_problems(event: str, raw: str) -> list[str]:
    known = PLACEHOLDERS[event]
    return [
        f"The template parameter “{name}” is not one this event fills; use {_listed(known)}."
        for name in parameter_names(raw)
        if name not in known
    ]


def template_problems(*, name: str, language: str, parameters: tuple[str, ...]) -> list[str]:
    """The template must be synced, approved (for some business number) and take exactly the mapped body values."""
    if not name:
        return []
    if not language:
        return [f"Give the language of template {name} as synced, e.g. en_US."]
    found = list(MessageTemplate.objects.filter(name=name, language=language))
    if not found:
        return [
            f"Template {name} ({language}) has not been synced from WhatsApp: check its name and language, or sync "
            f"the templates (admin > Message templates > Sync) once Meta has it."
        ]
    approved = [template for template in found if template.status == TemplateStatus.APPROVED]
    if not approved:
        status = found[0].get_status_display().lower()
        return [f"Template {name} ({language}) is {status} as of the last sync; only an approved template is sent."]
    slots = parameter_slots(approved[0])
    if slots["header"] or slots["buttons"]:
        return [f"Template {name} ({language}) has values in its header or buttons, which a rule cannot fill."]
    if slots["body"] != len(parameters):
        return [
            f"Template {name} ({language}) takes {slots['body']} body value(s); the parameters name {len(parameters)}."
        ]
    return []


def text_problems(*, event: str, enabled: bool, texts: Iterable[tuple[str, str]]) -> list[str]:
    """`texts` as (language, text) pairs."""
    known = PLACEHOLDERS[event]
    problems = []
    languages = set()
    for language, text in texts:
        languages.add(language)
        if not LANGUAGE_CODE.fullmatch(language):
            problems.append(f"“{language}” is not a language code; use two or three small letters: en, de, es.")
        unknown = sorted({name for name in PLACEHOLDER.findall(text) if name not in known})
        if unknown:
            problems.append(
                f"The {language} text uses {_listed(unknown)}, which this event does not fill; use {_listed(known)}."
            )
        if enabled and not text.strip():
            problems.append(f"The {language} text is empty; an enabled rule needs words (or remove that language).")
    if enabled and FALLBACK_LANGUAGE not in languages:
        problems.append("An enabled rule needs an English (en) text: customers of other languages fall back to it.")
    return problems


def _listed(names: Iterable[str]) -> str:
    return ", ".join("{" + name + "}" for name in names)
