from django.urls import path

from security import api

urlpatterns = [
    path("api-tokens/", api.ApiTokens.as_view(), name="api-tokens"),
    path("api-tokens/<int:pk>/revoke/", api.RevokeApiToken.as_view(), name="api-token-revoke"),
]
