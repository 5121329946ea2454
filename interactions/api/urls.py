from django.urls import path, re_path

from interactions.api import channel_health, consent, erasure, lifecycle, link_previews, media, outreach, views

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
    path("interactions/<int:pk>/hold/", lifecycle.HoldInteraction.as_view(), name="interaction-hold"),
    path("interactions/<int:pk>/resume/", lifecycle.ResumeInteraction.as_view(), name="interaction-resume"),
    path("interactions/<int:pk>/notes/", lifecycle.InteractionNotes.as_view(), name="interaction-notes"),
    path("interactions/<int:pk>/attachments/", media.InteractionAttachments.as_view(), name="interaction-attachments"),
    path("messages/<int:pk>/link-preview/", link_previews.MessageLinkPreview.as_view(), name="message-link-preview"),
]

# The business writing first, and consent (interactions/api/outreach.py, interactions/api/consent.py).
urlpatterns += [
    path("channel-users/", outreach.ChannelUserSearch.as_view(), name="channel-user-search"),
    path("channel-users/<int:pk>/outreach/", outreach.Outreach.as_view(), name="channel-user-outreach"),
    path("outreach/", outreach.Outreach.as_view(), name="number-outreach"),
    path("channel-users/<int:pk>/consent/", consent.ChannelUserConsent.as_view(), name="channel-user-consent"),
    path("channel-users/<int:pk>/erasure/", erasure.ChannelUserErasure.as_view(), name="channel-user-erasure"),
    path("consent/export/", consent.ConsentExport.as_view(), name="consent-export"),
    path("interactions/<int:pk>/ask-consent/", consent.AskForConsent.as_view(), name="interaction-ask-consent"),
    path("interactions/<int:pk>/template-messages/", outreach.TemplateMessages.as_view(), name="template-messages"),
    path("conversations/", outreach.Conversations.as_view(), name="conversations"),
    path("templates/sync/", outreach.SyncTemplates.as_view(), name="templates-sync"),
    path("notifications/", outreach.Notifications.as_view(), name="notifications"),
]

# How the channels' accounts stand (interactions/api/channel_health.py): the header alert and the composer poll it.
urlpatterns += [path("channel-health/", channel_health.ChannelHealth.as_view(), name="channel-health")]

# Last: an address under the API that names nothing (`/interactions/-1/`, `/interactions/abc/`) is a JSON 404,
# like every other answer of the API, not Django's HTML page.
urlpatterns += [re_path(r"^", views.NoSuchEndpoint.as_view(), name="api-not-found")]
