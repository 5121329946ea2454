"""Every phrase the virtual agent says in English, and every shipped topic and prompt, ships in German and Spanish
with the same placeholders; a new phrase without them fails here. Filling them into an installation never
overwrites what an admin wrote."""

import re

import pytest

from virtual_agent.defaults import (
    COMMANDS,
    GERMAN,
    SPANISH,
    STEP_TRANSLATIONS,
    TOPIC_TRANSLATIONS,
    TOPICS,
    fill_phrases,
    fill_translations,
)
from virtual_agent.models import CommandLanguage, Step, Topic
from virtual_agent.phrases import ENGLISH

TITLES = ("yes", "no", "menu_button", "choose_button", "notification_all_off", "notification_all_on",
          "notification_marketing_off", "notification_marketing_on")  # fmt: skip  # buttons: 20 characters


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


@pytest.mark.parametrize("translation", [GERMAN, SPANISH], ids=["de", "es"])
def test_every_english_phrase_is_translated_with_its_placeholders(translation):
    assert sorted(set(ENGLISH) - set(translation)) == []
    assert sorted(set(translation) - set(ENGLISH)) == []  # no phrase the engine never says
    for key, text in ENGLISH.items():
        assert placeholders(translation[key]) == placeholders(text), key
    for key in TITLES:
        assert len(translation[key]) <= 20, key


def test_the_shipped_languages_are_seeded_with_them():
    assert COMMANDS["de"][1] is GERMAN and COMMANDS["es"][1] is SPANISH


@pytest.mark.django_db
def test_filling_phrases_keeps_what_an_admin_wrote_and_adds_the_rest():
    german = CommandLanguage.objects.get(code="de")  # seeded by the migrations
    german.phrases = {"greeting": "Servus {name}!", "menu": ""}
    german.save()

    fill_phrases(CommandLanguage)

    german.refresh_from_db()
    assert german.phrases["greeting"] == "Servus {name}!"
    assert german.phrases["menu"] == GERMAN["menu"]  # left empty: not an edit to keep
    assert set(german.phrases) == set(GERMAN)


def test_every_shipped_topic_and_prompt_is_translated():
    for key, _name, _description, _synonyms, steps in TOPICS:
        for language in ("de", "es"):
            name, description, synonyms = TOPIC_TRANSLATIONS[key][language]
            assert name and len(name) <= 21, (key, language)  # a menu row: 24 characters with its "1. "
            assert description and len(description) <= 72 and synonyms, (key, language)
        for step_key, _kind, prompt, _extra in steps:
            if not prompt.strip():
                continue
            translations = STEP_TRANSLATIONS[(key, step_key)]
            assert sorted(translations) == ["de", "es"], (key, step_key)
            assert all(placeholders(text) == placeholders(prompt) for text in translations.values()), (key, step_key)


@pytest.mark.django_db
def test_filling_translations_keeps_an_admins_and_passes_over_english_an_admin_changed():
    topic = Topic.objects.get(key="report-problem")  # filled by the migrations
    assert topic.text("name", "de") == "Problem melden" and topic.text("name", "fr") == "Report a problem"
    topic.translations = {"de": {"name": "Schaden melden"}}
    topic.save()
    short = topic.steps.get(key="short")
    short.prompt, short.translations = "What went wrong?", {}
    short.save()

    fill_translations(Topic, Step)

    topic.refresh_from_db()
    short.refresh_from_db()
    assert topic.translations["de"] == {"name": "Schaden melden"}
    assert topic.translations["es"]["name"] == "Reportar un problema"
    assert short.translations == {}  # a German "describe the problem" would no longer say what it asks
    assert topic.steps.get(key="photo").prompt_in("de").startswith("Wenn Sie ein Foto")
