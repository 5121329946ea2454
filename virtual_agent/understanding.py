"""How the virtual agent reads what a customer typed: a choice by its number or its words (exact, keyword, then
fuzzy with rapidfuzz), a topic by its name and synonyms, a command as the whole message. Pure: text and candidates
in, a match out."""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

FUZZY_THRESHOLD = 80  # rapidfuzz's 0 to 100 score; below it a typo is taken for something else
# Sure enough to leave what the customer is doing: above the 90 that WRatio gives a word merely inside another
# ("updated" holds "update"), so only a misspelling of the whole text.
CONFIDENT_THRESHOLD = 92


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """Something the customer may mean: an option, a topic."""

    id: str
    words: tuple[str, ...]  # its title first, then synonyms


@dataclass(frozen=True, slots=True, kw_only=True)
class ChoiceMatch:
    id: str = ""
    out_of_range: int | None = None  # a number typed that names no choice


def folded(text: str) -> str:
    """Case- and accent-insensitive, punctuation and spacing evened out: "Réclamation!" reads as "reclamation"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(character for character in decomposed if not unicodedata.combining(character))
    return " ".join(re.findall(r"\w+", plain))


def listed(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _number(text: str) -> int | None:
    """ "2", "2.", "#2" or "2)" are the second choice."""
    match = re.fullmatch(r"\s*#?\s*(\d{1,4})\s*[.)]?\s*", text)
    return int(match.group(1)) if match else None


def match_choice(text: str, candidates: Sequence[Candidate]) -> ChoiceMatch:
    number = _number(text)
    if number is not None:
        if 1 <= number <= len(candidates):
            return ChoiceMatch(id=candidates[number - 1].id)
        return ChoiceMatch(out_of_range=number)
    found = match_words(text, candidates)
    return ChoiceMatch(id=found or "")


def match_words(text: str, candidates: Sequence[Candidate], *, threshold: int = FUZZY_THRESHOLD) -> str | None:
    """The candidate the words name: one whose title or synonym is said exactly, else contained as whole words in
    what was said, else the best fuzzy match above the threshold; None when nothing is close or two are tied."""
    said = folded(text)
    if not said:
        return None
    exact = [candidate.id for candidate in candidates if said in {folded(word) for word in candidate.words}]
    if len(set(exact)) == 1:
        return exact[0]
    contained = {
        candidate.id
        for candidate in candidates
        for word in candidate.words
        if folded(word) and re.search(rf"\b{re.escape(folded(word))}\b", said)
    }
    if len(contained) == 1:
        return contained.pop()
    choices = {(candidate.id, index): folded(word) for candidate in candidates for index, word in
               enumerate(candidate.words) if _comparable(said, folded(word))}  # fmt: skip
    best = process.extract(said, choices, scorer=fuzz.WRatio, limit=2, score_cutoff=threshold)
    if not best:
        return None
    (_, top_score, (top_id, _)), *rest = best
    if rest and rest[0][1] == top_score and rest[0][2][0] != top_id:
        return None  # two different things fit as well: ask rather than guess
    return top_id


def _comparable(said: str, word: str) -> bool:
    """Fuzzy matching is for a misspelt choice, not for a word found somewhere in a sentence: WRatio scores any
    sentence sharing one word with a short synonym 86 ("hello, my invoice…" against "my cases")."""
    return bool(word) and max(len(said), len(word)) <= 2 * min(len(said), len(word))


def match_command(text: str, words: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """(action, language) of a command said as the whole message; `words` maps folded words to them."""
    return words.get(folded(text))
