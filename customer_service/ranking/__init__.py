"""The two rankers behind `services.search`: PostgreSQL's full-text search, and a pure-Python one for SQLite.
Both take the same terms, correct typos against the words the documents use, weigh rare words above common
ones (IDF) and title or keywords above body, and return (kind, pk, score), best first."""

from dataclasses import dataclass
from typing import Literal

AnswerKind = Literal["article", "community"]


@dataclass(frozen=True, slots=True)
class Ranked:
    kind: AnswerKind
    pk: int
    score: float
