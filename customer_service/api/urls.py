from django.urls import path

from customer_service.api import views

urlpatterns = [
    path("interactions/<int:pk>/customer/", views.InteractionCustomer.as_view(), name="interaction-customer"),
    path("interactions/<int:pk>/customer/contact/", views.InteractionContact.as_view(), name="interaction-contact"),
    path("interactions/<int:pk>/cases/", views.InteractionCases.as_view(), name="interaction-cases"),
    path("interactions/<int:pk>/cases/link/", views.InteractionCaseLink.as_view(), name="interaction-case-link"),
    path(
        "interactions/<int:pk>/cases/<int:case_id>/state/",
        views.InteractionCaseState.as_view(),
        name="interaction-case-state",
    ),
    path(
        "interactions/<int:pk>/cases/<int:case_id>/comments/",
        views.InteractionCaseComments.as_view(),
        name="interaction-case-comments",
    ),
    path(
        "interactions/<int:pk>/catalog-requests/",
        views.InteractionCatalogRequests.as_view(),
        name="interaction-catalog-requests",
    ),
    path("customer-service/answers/", views.AnswerSearch.as_view(), name="answer-search"),
    path("customer-service/contacts/", views.ContactSearch.as_view(), name="contact-search"),
    path("customer-service/catalog/", views.Catalog.as_view(), name="service-catalog"),
]
