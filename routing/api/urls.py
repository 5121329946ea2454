"""Routing's API, mounted at /api/v1/routing/."""

from django.urls import path

from routing.api import views

urlpatterns = [
    path("me/", views.Me.as_view(), name="routing-me"),
    path("me/presence/", views.MyPresence.as_view(), name="routing-my-presence"),
    path("offers/", views.Offers.as_view(), name="routing-offers"),
    path("offers/<int:pk>/accept/", views.AcceptOffer.as_view(), name="routing-offer-accept"),
    path("offers/<int:pk>/reject/", views.RejectOffer.as_view(), name="routing-offer-reject"),
    path("reject-reasons/", views.RejectReasons.as_view(), name="routing-reject-reasons"),
    path("agents/", views.Agents.as_view(), name="routing-agents"),
]
