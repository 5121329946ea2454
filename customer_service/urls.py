from django.urls import path

from customer_service import views

urlpatterns = [
    path("articles/<int:pk>/<slug:slug>/", views.knowledge_article, name="knowledge-article"),
    path("article-feedback/<int:pk>/", views.article_feedback, name="knowledge-article-feedback"),
    path("community/<int:pk>/", views.community_question, name="community-question"),
]
