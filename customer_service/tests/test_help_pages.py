"""The public pages that links sent in chats open, and the answer a search hit becomes in a chat."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings

from customer_service.models import CommunityAnswer, CommunityQuestion, KnowledgeArticle
from customer_service.models.knowledge import ArticleStatus
from customer_service.services.search import answer_message_text, search_answers

pytestmark = pytest.mark.django_db


def article(**fields) -> KnowledgeArticle:
    defaults = {
        "title": "Replace a broken armrest",
        "slug": "replace-a-broken-armrest",
        "keywords": "armrest",
        "body": "Armrests have a **5-year warranty**.\n\nRemove the four screws under the seat.",
        "status": ArticleStatus.PUBLISHED,
    }
    return KnowledgeArticle.objects.create(**{**defaults, **fields})


def test_an_articles_page_shows_its_markdown_and_counts_the_view():
    armrest = article()

    page = Client().get(armrest.get_absolute_url())

    assert page.status_code == 200
    assert "<strong>5-year warranty</strong>" in page.content.decode()
    armrest.refresh_from_db()
    assert armrest.views == 1


@pytest.mark.parametrize(
    "user_agent",
    [
        "WhatsApp/2.23.20.0 A",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "TelegramBot (like TwitterBot)",
    ],
)
def test_a_link_preview_or_a_crawler_fetching_an_article_is_not_counted_as_a_view(user_agent):
    armrest = article()

    page = Client(headers={"User-Agent": user_agent}).get(armrest.get_absolute_url())

    assert page.status_code == 200
    armrest.refresh_from_db()
    assert armrest.views == 0


def test_html_and_script_links_in_an_article_are_shown_as_text_never_run():
    armrest = article(body="<script>alert(1)</script> <img src=x onerror=alert(2)> [click](javascript:alert(3))")

    page = Client().get(armrest.get_absolute_url()).content.decode()

    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page and 'href="javascript:' not in page


def test_a_draft_is_not_public_and_an_old_slug_leads_to_the_current_one():
    draft = article(status=ArticleStatus.DRAFT)
    assert Client().get(draft.get_absolute_url()).status_code == 404

    renamed = article(slug="fitting-a-new-armrest", title="Fitting a new armrest")
    moved = Client().get(f"/help/articles/{renamed.pk}/replace-a-broken-armrest/")
    assert moved.status_code == 301 and moved["Location"] == renamed.get_absolute_url()


def test_a_reader_says_whether_the_article_helped():
    armrest = article()

    answer = Client().post(f"/help/article-feedback/{armrest.pk}/", {"helpful": "yes"})
    Client().post(f"/help/article-feedback/{armrest.pk}/", {"helpful": "no"})

    assert answer.status_code == 302
    armrest.refresh_from_db()
    assert (armrest.helpful_votes, armrest.unhelpful_votes) == (1, 1)


def test_votes_from_one_address_are_throttled_at_the_apis_anonymous_rate():
    armrest = article()
    cache.delete_many(["throttle_anon_10.5.5.5", "throttle_anon_10.6.6.6"])
    rates = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": None, "anon": "2/minute"}}

    with override_settings(REST_FRAMEWORK=rates):
        voter = Client(REMOTE_ADDR="10.5.5.5")
        answers = [voter.post(f"/help/article-feedback/{armrest.pk}/", {"helpful": "yes"}) for _ in range(3)]
        elsewhere = Client(REMOTE_ADDR="10.6.6.6").post(f"/help/article-feedback/{armrest.pk}/", {"helpful": "yes"})

    assert [answer.status_code for answer in answers] == [302, 302, 429] and elsewhere.status_code == 302
    armrest.refresh_from_db()
    assert armrest.helpful_votes == 3


def test_a_community_question_shows_its_accepted_answer_first():
    question = CommunityQuestion.objects.create(title="Which castors for laminate?", body="It scratches.")
    CommunityAnswer.objects.create(question=question, body="Any will do.", votes=5)
    CommunityAnswer.objects.create(question=question, body="The **soft** castors.", is_accepted=True)

    page = Client().get(f"/help/community/{question.pk}/").content.decode()

    assert page.index("Accepted answer") < page.index("<strong>soft</strong>") < page.index("Any will do.")


def test_a_hit_reads_as_plain_text_with_an_absolute_link_to_the_whole_article():
    armrest = article(body="## Warranty\n\nArmrests have a **5-year warranty**. " + "More words here. " * 30)

    [hit] = search_answers("armrest broken")

    assert hit.kind == "article" and hit.pk == armrest.pk
    assert hit.snippet.startswith("Warranty Armrests have a 5-year warranty. More words here.")
    assert "*" not in hit.snippet and "#" not in hit.snippet and len(hit.snippet) <= 160
    assert hit.snippet.endswith("…")
    assert hit.url == f"http://127.0.0.1:8000{armrest.get_absolute_url()}"
    assert answer_message_text(hit).endswith(f"Read it all: {hit.url}")
