"""The routing rules: each condition at its edges, first match wins, the default catches the rest, and what an
admin is told about a rule written wrong."""

import pytest

from routing.models import RuleCondition
from routing.policies.rules import RoutingFacts, Rule, chosen_queue, folded, matching_rule, rule_matches, rule_problems


def rule(condition: str, value: str, attribute: str = "", queue_key: str = "target") -> Rule:
    return Rule(condition=condition, value=value, attribute=attribute, queue_key=queue_key)


@pytest.mark.parametrize(
    ("value", "message", "matches"),
    [
        ("invoice", "Where is my invoice?", True),
        ("invoice", "INVOICE 42 is wrong", True),
        ("rechnung", "Meine Rëchnung fehlt", True),  # accents do not matter
        ("Rëchnung", "meine rechnung fehlt", True),
        ("strasse", "Die Straße ist falsch", True),  # ß folds to ss
        ("bill", "a billion thanks", False),  # whole words, not parts of one
        ("bill", "my bill, please", True),
        ("credit card", "my credit card was charged twice", True),  # a phrase: its words in a row
        ("credit card", "card credit", False),
        ("refund, invoice", "I want a refund", True),  # any of the comma-separated keywords
        ("invoice", "", False),
    ],
)
def test_a_keyword_rule_matches_whole_words_of_the_first_message_whatever_their_case_and_accents(
    value, message, matches
):
    assert rule_matches(rule(RuleCondition.KEYWORD, value), RoutingFacts(first_message=message)) is matches


@pytest.mark.parametrize(
    ("value", "language", "matches"),
    [
        ("de", "de", True),
        ("de", "de-AT", True),
        ("de", "DE_ch", True),
        ("de-CH", "de-CH", True),
        ("de-CH", "de-AT", False),
        ("de", "den", False),  # another language whose code starts alike
        ("de", "", False),  # unknown language
        ("fr, de", "de", True),
    ],
)
def test_a_language_rule_matches_the_customers_language_or_its_regional_variants(value, language, matches):
    assert rule_matches(rule(RuleCondition.LANGUAGE, value), RoutingFacts(language=language)) is matches


@pytest.mark.parametrize(
    ("value", "account_id", "matches"),
    [("106540352242922", "106540352242922", True), ("106540352242922", "106540352242923", False), ("1, 2", "2", True)],
)
def test_a_business_number_rule_matches_the_account_written_to(value, account_id, matches):
    assert rule_matches(rule(RuleCondition.BUSINESS_ACCOUNT, value), RoutingFacts(account_id=account_id)) is matches


@pytest.mark.parametrize(
    ("value", "topic", "matches"),
    [("returns", "Returns", True), ("returns", "returns policy", False), ("returns", "", False)],
)
def test_a_handoff_topic_rule_matches_the_virtual_agents_topic(value, topic, matches):
    assert rule_matches(rule(RuleCondition.HANDOFF_TOPIC, value), RoutingFacts(handoff_topic=topic)) is matches


@pytest.mark.parametrize(
    ("value", "attributes", "matches"),
    [
        ("true", {"vip": True}, True),
        ("true", {"vip": "true"}, True),
        ("True", {"vip": "TRUE"}, True),
        ("true", {"vip": False}, False),
        ("true", {}, False),
        ("true", {"vip": None}, False),
        ("gold", {"vip": ["silver", "gold"]}, True),
        ("3", {"vip": 3}, True),
    ],
)
def test_a_customer_attribute_rule_compares_the_attribute_as_text(value, attributes, matches):
    vip = rule(RuleCondition.CUSTOMER_ATTRIBUTE, value, attribute="vip")
    assert rule_matches(vip, RoutingFacts(attributes=attributes)) is matches


def test_the_first_matching_rule_wins_and_the_default_queue_catches_the_rest():
    rules = [
        rule(RuleCondition.CUSTOMER_ATTRIBUTE, "true", attribute="vip", queue_key="vip"),
        rule(RuleCondition.KEYWORD, "invoice", queue_key="billing"),
        rule(RuleCondition.LANGUAGE, "de", queue_key="german"),
    ]
    vip_german_invoice = RoutingFacts(attributes={"vip": True}, language="de", first_message="invoice")
    german_invoice = RoutingFacts(language="de", first_message="invoice")

    assert chosen_queue(rules=rules, facts=vip_german_invoice, default_queue="general") == "vip"
    assert chosen_queue(rules=rules, facts=german_invoice, default_queue="general") == "billing"
    assert chosen_queue(rules=rules, facts=RoutingFacts(language="de"), default_queue="general") == "german"
    assert chosen_queue(rules=rules, facts=RoutingFacts(), default_queue="general") == "general"
    assert chosen_queue(rules=rules, facts=RoutingFacts(), default_queue=None) is None
    assert matching_rule(rules=rules, facts=german_invoice) is rules[1]
    assert matching_rule(rules=rules, facts=RoutingFacts()) is None


def test_folding_ignores_case_and_accents():
    assert folded("Ærø Crème ÉCLAIR") == "ærø creme eclair"


@pytest.mark.parametrize(
    ("condition", "value", "attribute", "problems"),
    [
        (RuleCondition.KEYWORD, "invoice, refund", "", {}),
        (RuleCondition.KEYWORD, " , ", "", {"value": ["Give what must match."]}),
        (RuleCondition.KEYWORD, "invoice, ?!", "", {
            "value": ["These keywords have no letters or digits to match: ?!."]}),
        (RuleCondition.LANGUAGE, "de, pt_BR", "", {}),
        (RuleCondition.LANGUAGE, "german", "", {"value": ["Not a language tag: german (write e.g. de, pt-BR)."]}),
        (RuleCondition.BUSINESS_ACCOUNT, "1065 4035", "", {"value": ["An account id has no spaces: 1065 4035."]}),
        (RuleCondition.HANDOFF_TOPIC, "", "", {"value": ["Give what must match."]}),
        (RuleCondition.KEYWORD, "invoice", "vip", {"attribute": [
            "Only a customer attribute rule names an attribute; leave it empty."]}),
        (RuleCondition.CUSTOMER_ATTRIBUTE, "true", "vip", {}),
        (RuleCondition.CUSTOMER_ATTRIBUTE, "true", "", {
            "attribute": ["Name the customer attribute to compare, e.g. vip."]}),
        (RuleCondition.CUSTOMER_ATTRIBUTE, "", "vip level", {
            "attribute": ["'vip level' is not an attribute name (letters, digits, _ . -)."],
            "value": ["Give the value the attribute must have, e.g. true."]}),
    ],
)  # fmt: skip
def test_a_rule_written_wrong_says_what_to_fix_in_which_field(condition, value, attribute, problems):
    assert rule_problems(condition=condition, value=value, attribute=attribute) == problems


def test_an_unknown_condition_is_named():
    assert "'mood' is not a condition" in rule_problems(condition="mood", value="x")["condition"][0]
