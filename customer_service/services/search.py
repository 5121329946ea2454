"""Searching knowledge articles and community answers, and what a found answer becomes in a chat: a short,
readable snippet and the link to its full page."""

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse

from customer_service.article_text import plain_text, shortened
from customer_service.models import CommunityAnswer, CommunityQuestion, KnowledgeArticle
from customer_service.ranking import AnswerKind, Ranked, fallback, postgresql
from customer_service.search_terms import query_terms

SNIPPET_LENGTH = 160
MAX_RESULTS = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswerHit:
    kind: AnswerKind
    pk: int
    title: str
    snippet: str  # plain text, at most SNIPPET_LENGTH characters
    url: str  # absolute: the public page of the whole article or question


def search_answers(query: str, *, limit: int = 3) -> list[AnswerHit]:
    """Best first; empty when nothing matches (or the question has no meaningful word)."""
    terms = query_terms(query or "")
    if not terms:
        return []
    limit = max(1, min(limit, MAX_RESULTS))
    ranker = postgresql if connection.vendor == "postgresql" else fallback
    return _hits(ranker.ranked(terms, text=" ".join(terms), limit=limit))


def _hits(ranked: list[Ranked]) -> list[AnswerHit]:
    articles = KnowledgeArticle.objects.in_bulk([r.pk for r in ranked if r.kind == "article"])
    questions = CommunityQuestion.objects.in_bulk([r.pk for r in ranked if r.kind == "community"])
    accepted = {
        answer.question_id: answer.body
        for answer in CommunityAnswer.objects.filter(question__in=questions, is_accepted=True)
    }
    hits = []
    for found in ranked:
        if found.kind == "article":
            article = articles[found.pk]
            hits.append(
                AnswerHit(
                    kind="article",
                    pk=article.pk,
                    title=article.title,
                    snippet=shortened(plain_text(article.body), limit=SNIPPET_LENGTH),
                    url=article_url(article),
                )
            )
        else:
            question = questions[found.pk]
            answer = accepted.get(question.pk) or question.body
            hits.append(
                AnswerHit(
                    kind="community",
                    pk=question.pk,
                    title=question.title,
                    snippet=shortened(plain_text(answer), limit=SNIPPET_LENGTH),
                    url=community_question_url(question),
                )
            )
    return hits


def absolute_url(path: str) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}"


def article_url(article: KnowledgeArticle) -> str:
    return absolute_url(reverse("knowledge-article", kwargs={"pk": article.pk, "slug": article.slug}))


def community_question_url(question: CommunityQuestion) -> str:
    return absolute_url(reverse("community-question", kwargs={"pk": question.pk}))


def answer_message_text(hit: AnswerHit) -> str:
    """How an answer is sent in a chat: its title, the snippet and the link to read it all."""
    return f"*{hit.title}*\n{hit.snippet}\n\nRead it all: {hit.url}"


# WhatsApp and Facebook fetch a link's preview as it is sent; Telegram, Slack, Twitter and crawlers say "bot".
_LINK_PREVIEWS_AND_CRAWLERS = re.compile(r"whatsapp|facebookexternalhit|facebookcatalog|bot\b|crawler|spider", re.I)


def record_article_view(article: KnowledgeArticle, *, user_agent: str) -> None:
    """Counts a reader, not the link preview a chat app fetches when the link is sent, nor a crawler."""
    if _LINK_PREVIEWS_AND_CRAWLERS.search(user_agent):
        return
    KnowledgeArticle.objects.filter(pk=article.pk).update(views=F("views") + 1)


@transaction.atomic
def record_answer_feedback(*, kind: AnswerKind, pk: int, helpful: bool) -> None:
    """ "Did this help?": an article counts helpful and unhelpful votes, a community question only helpful ones."""
    if kind == "article":
        field = "helpful_votes" if helpful else "unhelpful_votes"
        KnowledgeArticle.objects.filter(pk=pk).update(**{field: F(field) + 1})
    elif helpful:
        CommunityQuestion.objects.filter(pk=pk).update(votes=F("votes") + 1)
