"""What answers customers: knowledge articles written by the business and community answers (a question with
the answer its asker accepted). Both are searched (customer_service/services/search.py)."""

from django.db import models
from django.db.models import Q
from django.urls import reverse


class KnowledgeCategory(models.Model):
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "knowledge categories"

    def __str__(self) -> str:
        return self.name


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class KnowledgeArticle(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    body = models.TextField(help_text="Markdown. Raw HTML is shown as text, never run.")
    category = models.ForeignKey(
        KnowledgeCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="articles"
    )
    keywords = models.CharField(
        max_length=500, blank=True, help_text="Words customers use for this, comma-separated; they rank as the title."
    )
    status = models.CharField(max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    views = models.PositiveIntegerField(default=0)
    helpful_votes = models.PositiveIntegerField(default=0)
    unhelpful_votes = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge-article", kwargs={"pk": self.pk, "slug": self.slug})


class CommunityQuestion(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    category = models.ForeignKey(
        KnowledgeCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="community_questions"
    )
    asked_by = models.CharField(max_length=120, blank=True, help_text="The community member's display name.")
    votes = models.IntegerField(default=0)
    is_published = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-votes", "pk"]

    def __str__(self) -> str:
        return self.title


class CommunityAnswer(models.Model):
    question = models.ForeignKey(CommunityQuestion, on_delete=models.CASCADE, related_name="answers")
    body = models.TextField()
    answered_by = models.CharField(max_length=120, blank=True)
    votes = models.IntegerField(default=0)
    is_accepted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_accepted", "-votes", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["question"], condition=Q(is_accepted=True), name="one_accepted_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"answer to {self.question}"
