"""Which queue an interaction goes to: ordered routing rules over what is known when it arrives, the first match
winning and the default queue catching the rest. Pure: facts and rules in, a queue key out.

The customer's language is the profile's (`ChannelUser.language`); guessing it from a message's few words needs a
model and is wrong often enough to send German speakers to the French queue, so it is not guessed here.
"""

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from routing.models import RuleCondition

# BCP 47 as people type it: a primary language, then subtags (de, de-CH, pt_BR, zh-Hant-TW).
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
ATTRIBUTE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


@dataclass(frozen=True, slots=True, kw_only=True)
class RoutingFacts:
    """What is known of an interaction when it is routed."""

    account_id: str = ""  # the business number written to
    language: str = ""  # the customer's profile language
    first_message: str = ""
    handoff_topic: str = ""  # the virtual agent's, when it hands over
    attributes: Mapping[str, object] = field(default_factory=dict)  # what the business knows of the customer


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    condition: str
    value: str
    queue_key: str
    attribute: str = ""
    name: str = ""


def folded(text: str) -> str:
    """Case- and accent-insensitive: "Rechnung", "RECHNUNG" and "rëchnung" fold alike, "ß" to "ss"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", folded(text)))


def listed(value: str) -> list[str]:
    """A rule's comma-separated alternatives, blanks dropped."""
    return [part.strip() for part in value.split(",") if part.strip()]


def _contains_phrase(said: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    """Whole words in a row: "bill" is in "my bill is wrong", not in "billion"."""
    width = len(phrase)
    return width > 0 and any(said[start : start + width] == phrase for start in range(len(said) - width + 1))


def _language_matches(wanted: str, language: str) -> bool:
    """A language "de" matches de, de-CH and de_AT; "de-CH" only de-CH."""
    wanted, language = wanted.replace("_", "-").casefold(), language.replace("_", "-").casefold()
    return bool(language) and (language == wanted or language.startswith(f"{wanted}-"))


def _attribute_texts(value: object) -> set[str]:
    """An attribute's value as rule values are written: true / false, numbers and strings as text; a list, each."""
    if isinstance(value, list | tuple | set):
        return set().union(*(_attribute_texts(item) for item in value)) if value else set()
    if isinstance(value, bool):
        return {"true" if value else "false"}
    if value is None:
        return set()
    return {folded(str(value).strip())}


def rule_matches(rule: Rule, facts: RoutingFacts) -> bool:
    match rule.condition:
        case RuleCondition.BUSINESS_ACCOUNT:
            return facts.account_id.strip() in listed(rule.value)
        case RuleCondition.LANGUAGE:
            return any(_language_matches(wanted, facts.language.strip()) for wanted in listed(rule.value))
        case RuleCondition.KEYWORD:
            said = words(facts.first_message)
            return any(_contains_phrase(said, words(keyword)) for keyword in listed(rule.value))
        case RuleCondition.HANDOFF_TOPIC:
            topic = folded(facts.handoff_topic.strip())
            return bool(topic) and topic in {folded(wanted) for wanted in listed(rule.value)}
        case RuleCondition.CUSTOMER_ATTRIBUTE:
            if rule.attribute not in facts.attributes:
                return False
            return folded(rule.value.strip()) in _attribute_texts(facts.attributes[rule.attribute])
    return False


def chosen_queue(*, rules: Sequence[Rule], facts: RoutingFacts, default_queue: str | None) -> str | None:
    """The queue of the first rule (in the given order) that matches, else the default queue."""
    for rule in rules:
        if rule_matches(rule, facts):
            return rule.queue_key
    return default_queue


def matching_rule(*, rules: Sequence[Rule], facts: RoutingFacts) -> Rule | None:
    """The rule that decides, for an admin trying their rules out; None when the default queue would."""
    return next((rule for rule in rules if rule_matches(rule, facts)), None)


def rule_problems(*, condition: str, value: str, attribute: str = "") -> dict[str, list[str]]:
    """What is wrong with a rule as written, by field ("value", "attribute", "condition"); empty when it is fine."""
    problems: dict[str, list[str]] = {}
    alternatives = listed(value)
    if condition not in RuleCondition.values:
        problems["condition"] = [f"{condition!r} is not a condition; use one of {', '.join(RuleCondition.values)}."]
        return problems
    if condition == RuleCondition.CUSTOMER_ATTRIBUTE:
        if not attribute.strip():
            problems["attribute"] = ["Name the customer attribute to compare, e.g. vip."]
        elif not ATTRIBUTE_NAME.match(attribute.strip()):
            problems["attribute"] = [f"{attribute!r} is not an attribute name (letters, digits, _ . -)."]
        if not value.strip():
            problems["value"] = ["Give the value the attribute must have, e.g. true."]
        return problems
    if attribute.strip():
        problems["attribute"] = ["Only a customer attribute rule names an attribute; leave it empty."]
    if not alternatives:
        problems["value"] = ["Give what must match."]
    elif condition == RuleCondition.LANGUAGE:
        wrong = [tag for tag in alternatives if not LANGUAGE_TAG.match(tag)]
        if wrong:
            problems["value"] = [f"Not a language tag: {', '.join(wrong)} (write e.g. de, pt-BR)."]
    elif condition == RuleCondition.KEYWORD:
        wordless = [keyword for keyword in alternatives if not words(keyword)]
        if wordless:
            problems["value"] = [f"These keywords have no letters or digits to match: {', '.join(wordless)}."]
    elif condition == RuleCondition.BUSINESS_ACCOUNT:
        spaced = [account for account in alternatives if re.search(r"\s", account)]
        if spaced:
            problems["value"] = [f"An account id has no spaces: {', '.join(spaced)}."]
    return problems
