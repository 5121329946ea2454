from django.urls import path

from interactions.api import link_previews, media, views

urlpatterns = [
    path("interactions/", views.InteractionList.as_view(), name="interaction-list"),
    path("interactions/<int:pk>/", views.InteractionDetail.as_view(), name="interaction-detail"),
    path("interactions/<int:pk>/messages/", views.InteractionMessages.as_view(), name="interaction-messages"),
    path(
        "interactions/<int:pk>/messages/<int:message_id>/retry/",
        views.RetryMessage.as_view(),
        name="interaction-message-retry",
    ),
    path("interactions/<int:pk>/close/", views.CloseInteraction.as_view(), name="interaction-close"),
    path("interactions/<int:pk>/seen/", views.MarkInteractionSeen.as_view(), name="interaction-seen"),
    path("interactions/<int:pk>/attachments/", media.InteractionAttachments.as_view(), name="interaction-attachments"),
    path("messages/<int:pk>/link-preview/", link_previews.MessageLinkPreview.as_view(), name="message-link-preview"),
]
