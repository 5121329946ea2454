"""Text from outside made fit to store, at its edges: exactly a column's length, one more, what none holds."""

import math

import pytest

from interactions.storable_text import fitted_identifier, fitted_text, storable_document, storable_text


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("plain", "plain"),
        ("a\x00b", "a\ufffdb"),
        ("\ud800", "\ufffd"),
        ("\udfff tail", "\ufffd tail"),
        ("\U0001f600", "\U0001f600"),
        ("\ufffd", "\ufffd"),
    ],
    ids=["plain", "nul", "high surrogate alone", "low surrogate alone", "astral character", "replacement character"],
)
def test_nul_and_lone_surrogates_become_the_replacement_character(value, stored):
    assert storable_text(value) == stored


def test_a_document_is_made_storable_everywhere_keys_included_without_recursion():
    deep: list = []
    innermost = deep
    for _ in range(100_000):  # far deeper than Python's recursion limit
        innermost.append([])
        innermost = innermost[0]
    innermost.append({"k\x00": ["v\ud800", math.nan, math.inf, -math.inf, 1.5, 7, None, True]})

    storable_document(deep)

    assert innermost == [{"k\ufffd": ["v\ufffd", None, None, None, 1.5, 7, None, True]}]


@pytest.mark.parametrize(
    ("length", "stored_length", "cut"), [(0, 0, False), (10, 10, False), (11, 10, True), (500, 10, True)]
)
def test_text_longer_than_its_column_is_cut_with_a_mark(length, stored_length, cut):
    stored = fitted_text("x" * length, max_length=10)

    assert len(stored) == stored_length
    assert stored.endswith("…") is cut


def test_an_id_longer_than_its_column_is_cut_with_a_mark_and_a_digest_of_the_whole():
    exact = "1" * 64
    first, second = (fitted_identifier("1" * 100 + end, max_length=64) for end in "ab")

    assert fitted_identifier(exact, max_length=64) == exact
    assert len(first) == len(second) == 64
    assert "…" in first and first != second
    assert fitted_identifier("1" * 100 + "a", max_length=64) == first  # the same id always becomes the same
    assert fitted_identifier("\ud800" * 100, max_length=64).startswith("\ud800")  # digest of what cannot encode
