"""Hypothesis strategies for what the outside world may send: any JSON, any bytes, and text at its edges.

Shared by the channel's webhook tests and the core's service tests. Strings include what broke storage before:
NUL, lone surrogates (sent by Meta as `\\ud800` escapes), right-to-left marks, emoji joined by ZWJ, and text
longer than any column; numbers include those past 64 bits and past a float.
"""

import json
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from interactions.storable_text import storable_text

EDGE_CHARACTERS = (
    "\x00",  # NUL: PostgreSQL refuses it in text and jsonb
    "\ud800",  # a lone high surrogate: UTF-8 cannot encode it
    "\udfff",  # a lone low surrogate
    "\u200f",  # RIGHT-TO-LEFT MARK
    "\u202e",  # RIGHT-TO-LEFT OVERRIDE
    "\u2066",  # LEFT-TO-RIGHT ISOLATE
    "\ufeff",  # BYTE ORDER MARK
    "\u200d",  # ZERO WIDTH JOINER
    "\ufffd",  # REPLACEMENT CHARACTER
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",  # family: four emoji joined by ZWJ
    "\U0001f3f3\ufe0f\u200d\U0001f308",  # rainbow flag
    "e\u0301",  # a combining accent
    "\u00b2",  # SUPERSCRIPT TWO: a digit to str.isdigit, not to int()
    "\u0663",  # ARABIC-INDIC DIGIT THREE
    "\uff33\uff34\uff2f\uff30",  # STOP in fullwidth letters
    "\n",
    "\r\n",
    "\t",
    "\x1b[31m",
    "%s%n",
    "'; --",
    "<script>",
    "{{1}}",
)
EDGE_WORDS = ("", " ", "0", "-1", "NaN", "null", "true", "stop", "STOP", "start", "wamid.", "outbox-1")
LONG_LENGTHS = (255, 256, 2001, 4097, 70_000)

edge_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(EDGE_CHARACTERS + EDGE_WORDS),
    st.lists(st.sampled_from(EDGE_CHARACTERS + EDGE_WORDS) | st.text(max_size=5), min_size=2, max_size=6).map("".join),
    st.builds(
        lambda piece, length: (piece * length)[:length],
        st.sampled_from(("x", "\U0001f600", "\u05d0")),
        st.sampled_from(LONG_LENGTHS),
    ),
)
# What a person types through the API: its serializers refuse NUL and lone surrogates with a 400 naming the field
# (interactions/tests/test_api_bad_input.py), so the services behind them are given everything else.
typed_text = edge_text.map(storable_text)

HUGE_NUMBERS = (2**63 - 1, 2**63, -(2**63) - 1, 2**64, 10**30, 10**400, 1e308, -0.0, 1.5e-320)
edge_number = st.one_of(
    st.integers(),
    st.sampled_from(HUGE_NUMBERS),
    st.floats(allow_nan=True, allow_infinity=True),
)
json_scalar = st.one_of(st.none(), st.booleans(), edge_number, edge_text)
json_value = st.recursive(
    json_scalar,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(edge_text, children, max_size=4),
    max_leaves=12,
)
json_object = st.dictionaries(edge_text, json_value, max_size=5)


def wire_json(document: object) -> bytes:
    """As Meta sends it: ASCII with escapes, so NUL and lone surrogates travel as `\\u0000` and `\\ud800`.
    NaN and Infinity go out as Python writes them, which no JSON parser need accept."""
    return json.dumps(document, ensure_ascii=True).encode()


aware_datetime = st.one_of(
    st.datetimes(timezones=st.just(UTC)),
    st.sampled_from((datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC))),
    st.builds(lambda seconds: datetime.now(tz=UTC) + timedelta(seconds=seconds), st.integers(-(10**9), 10**9)),
)

# When we received something: our own clock, so within reach of now (the claimed time is what may be anything).
received_datetime = st.builds(lambda seconds: datetime.now(tz=UTC) - timedelta(seconds=seconds), st.integers(0, 10**6))


def _paths(document: object, prefix: tuple = ()) -> list[tuple]:
    """Every place in a document a value sits: each key of each object, each item of each list."""
    places = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            places += _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            places += _paths(value, (*prefix, index))
    return places


def _replaced(document: object, path: tuple, value: object) -> object:
    if not path:
        return value
    head, *rest = path
    copy = dict(document) if isinstance(document, dict) else list(document)
    copy[head] = _replaced(copy[head], tuple(rest), value)
    return copy


def _without(document: object, path: tuple) -> object:
    if len(path) == 1:
        copy = dict(document) if isinstance(document, dict) else list(document)
        del copy[path[0]]
        return copy
    head, *rest = path
    copy = dict(document) if isinstance(document, dict) else list(document)
    copy[head] = _without(copy[head], tuple(rest))
    return copy


@st.composite
def mutated(draw, document: object, *, max_mutations: int = 3) -> object:
    """The document with one to a few values replaced by any JSON (another type, a huge number, edge text, a
    container) or removed: wrong types in every field of a shape, one at a time or together."""
    for _ in range(draw(st.integers(1, max_mutations))):
        # Deepest first: Hypothesis favours the first choices, and the fields are where the shapes go wrong.
        path = draw(st.sampled_from(sorted(_paths(document), key=len, reverse=True)))
        if path and draw(st.integers(0, 4)) == 0:
            document = _without(document, path)
        else:
            document = _replaced(document, path, draw(json_value))
    return document
