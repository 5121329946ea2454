"""Every phrase the virtual agent says in English ships in German and Spanish, with the same placeholders; a new
phrase without them fails here. Filling them into an installation never overwrites what an admin wrote."""

import re

import pytest

from virtual_agent.defaults import COMMANDS, GERMAN, SPANISH, fill_phrases
from virtual_agent.models import CommandLanguage
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
