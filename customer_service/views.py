"""The public help pages that links sent in chats open: read-only, published content only, no sign-in."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from customer_service.article_text import rendered_html
from customer_service.models import CommunityQuestion, KnowledgeArticle
from customer_service.models.knowledge import ArticleStatus
from customer_service.services.search import record_answer_feedback, record_article_view
from interactions.api.throttles import AnonThrottle


@require_GET
def knowledge_article(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    article = get_object_or_404(
        KnowledgeArticle.objects.select_related("category"), pk=pk, status=ArticleStatus.PUBLISHED
    )
    if slug != article.slug:  # the title (and its slug) changed since the link was sent
        return redirect("knowledge-article", pk=article.pk, slug=article.slug, permanent=True)
    record_article_view(article, user_agent=request.headers.get("User-Agent", ""))
    context = {"article": article, "body_html": rendered_html(article.body), "voted": request.GET.get("voted")}
    return render(request, "help/article.html", context)


@require_POST
def article_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(KnowledgeArticle, pk=pk, status=ArticleStatus.PUBLISHED)
    if not AnonThrottle().allow_request(request, None):  # the API's per-address rate: votes are not free to stuff
        return HttpResponse("Too many votes from your address; please try again in a minute.", status=429)
    record_answer_feedback(kind="article", pk=article.pk, helpful=request.POST.get("helpful") == "yes")
    return redirect(f"{article.get_absolute_url()}?voted=1")


@require_GET
def community_question(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(CommunityQuestion, pk=pk, is_published=True)
    answers = [(answer, rendered_html(answer.body)) for answer in question.answers.all()]
    context = {"question": question, "question_html": rendered_html(question.body), "answers": answers}
    return render(request, "help/community_question.html", context)
