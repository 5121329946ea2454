from django.urls import path

from canned_responses.api import views

urlpatterns = [
    path(
        "interactions/<int:pk>/canned-responses/",
        views.InteractionCannedResponses.as_view(),
        name="interaction-canned-responses",
    ),
    path("interactions/<int:pk>/quick-actions/", views.InteractionQuickActions.as_view(), name="quick-actions"),
    path("interactions/<int:pk>/quick-actions/<slug:key>/", views.RunQuickAction.as_view(), name="quick-action-run"),
    path("canned-responses/", views.OwnCannedResponses.as_view(), name="canned-responses"),
    path("canned-responses/placeholders/", views.Placeholders.as_view(), name="canned-response-placeholders"),
    path("canned-responses/<int:pk>/", views.OwnCannedResponse.as_view(), name="canned-response"),
]
