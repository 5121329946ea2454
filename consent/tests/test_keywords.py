"""Keywords from the customer: whole messages only, any case, trimmed; YES only as the answer to our question."""

import pytest

from consent.policies import KeywordRule, match_consent_keyword
from consent.selectors import keyword_rules

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", ["STOP", "stop", "Stop ", "  sToP\n", "STOP ALL", "stop   all", "Unsubscribe", "quit"])
def test_opt_out_keywords_match_whole_in_any_case(text):
    match = match_consent_keyword(text=text, rules=keyword_rules(), answers_opt_in_question=False)
    assert match is not None and not match.opted_in and match.language == "en"


@pytest.mark.parametrize("text", ["stop it please", "Please stop", "STOP!", "stopp all", "don't stop", "STOPALL"])
def test_near_misses_are_ordinary_messages(text):
    assert match_consent_keyword(text=text, rules=keyword_rules(), answers_opt_in_question=False) is None


@pytest.mark.parametrize("text", ["START", "subscribe", " Unstop "])
def test_opt_in_keywords_match(text):
    match = match_consent_keyword(text=text, rules=keyword_rules(), answers_opt_in_question=False)
    assert match is not None and match.opted_in


def test_yes_opts_in_only_as_the_answer_to_the_opt_in_question():
    rules = keyword_rules()
    assert match_consent_keyword(text="yes", rules=rules, answers_opt_in_question=False) is None
    assert match_consent_keyword(text="Yes ", rules=rules, answers_opt_in_question=True).opted_in


def test_keywords_of_other_languages_answer_in_that_language():
    match = match_consent_keyword(text="stopp", rules=keyword_rules(), answers_opt_in_question=False)
    assert (match.opted_in, match.language) == (False, "de")


def test_an_admins_keyword_counts_like_the_defaults():
    rules = [KeywordRule(word="arrêt", action="opt_out", language="fr")]
    assert match_consent_keyword(text=" ARRÊT ", rules=rules, answers_opt_in_question=False).language == "fr"
