"""Ranking without PostgreSQL (the SQLite default of `make demo`): the same idea in Python over the published
documents, read once per search. A suffix-stripping stemmer stands in for PostgreSQL's, difflib for pg_trgm.
Meant for a demo-sized knowledge base; production runs on PostgreSQL."""

import math
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher, get_close_matches

from customer_service.models import CommunityAnswer, CommunityQuestion, KnowledgeArticle
from customer_service.models.knowledge import ArticleStatus
from customer_service.ranking import AnswerKind, Ranked
from customer_service.search_terms import words_of

# As PostgreSQL's default ts_rank weights: A 1.0, B 0.4, C 0.2.
TITLE, QUESTION, BODY = 1.0, 0.4, 0.2
TYPO_CUTOFF = 0.75
TITLE_WEIGHT = 0.3
TITLE_SIMILARITY = 0.6
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "es", "ed", "ly", "s")


@dataclass(frozen=True, slots=True)
class _Document:
    kind: AnswerKind
    pk: int
    title: str
    fields: tuple[tuple[float, Counter], ...]  # (weight, stem counts)
    words: frozenset[str]


def stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            return f"{word[:-1]}y" if suffix in ("ies", "ied") else word
    return word


def ranked(terms: list[str], *, text: str, limit: int) -> list[Ranked]:
    documents = _documents()
    if not documents:
        return []
    vocabulary = frozenset().union(*(document.words for document in documents))
    stems_in_use = {stem(word) for word in vocabulary}
    stems = []
    for term in terms:
        if stem(term) not in stems_in_use:
            corrected = get_close_matches(term, vocabulary, n=1, cutoff=TYPO_CUTOFF)
            if not corrected:
                continue
            term = corrected[0]
        if stem(term) not in stems:
            stems.append(stem(term))
    frequency = Counter(s for s in stems for document in documents if any(s in counts for _, counts in document.fields))
    scores: list[Ranked] = []
    for document in documents:
        score = 0.0
        for s in stems:
            if frequency[s]:
                idf = math.log(1 + len(documents) / frequency[s])
                score += idf * sum(
                    weight * (1 + math.log(counts[s])) for weight, counts in document.fields if counts[s]
                )
        score += TITLE_WEIGHT * _title_similarity(text, document.title)
        if score > 0:
            scores.append(Ranked(document.kind, document.pk, score))
    scores.sort(key=lambda ranked_document: (-ranked_document.score, ranked_document.kind, ranked_document.pk))
    return scores[:limit]


def _title_similarity(text: str, title: str) -> float:
    """Like pg_trgm's word similarity: a question that reads much like the title."""
    if not text:
        return 0.0
    ratio = SequenceMatcher(None, " ".join(words_of(text)), " ".join(words_of(title))).ratio()
    return ratio if ratio >= TITLE_SIMILARITY else 0.0


def _documents() -> list[_Document]:
    articles = KnowledgeArticle.objects.filter(status=ArticleStatus.PUBLISHED).only("title", "keywords", "body")
    accepted = {
        answer.question_id: answer.body
        for answer in CommunityAnswer.objects.filter(is_accepted=True, question__is_published=True).only(
            "question_id", "body"
        )
    }
    documents = [
        _document(
            "article",
            article.pk,
            article.title,
            ((TITLE, article.title), (TITLE, article.keywords), (BODY, article.body)),
        )
        for article in articles
    ]
    documents += [
        _document(
            "community",
            question.pk,
            question.title,
            ((TITLE, question.title), (QUESTION, question.body), (BODY, accepted.get(question.pk, ""))),
        )
        for question in CommunityQuestion.objects.filter(is_published=True).only("title", "body")
    ]
    return documents


def _document(kind: AnswerKind, pk: int, title: str, fields: tuple[tuple[float, str], ...]) -> _Document:
    words = [words_of(text) for _, text in fields]
    return _Document(
        kind=kind,
        pk=pk,
        title=title,
        fields=tuple(
            (weight, Counter(stem(word) for word in field_words))
            for (weight, _), field_words in zip(fields, words, strict=True)
        ),
        words=frozenset(word for field_words in words for word in field_words if len(word) > 2),
    )
