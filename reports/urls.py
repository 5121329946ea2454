from django.urls import path

from reports import views

urlpatterns = [
    path("", views.reports, name="reports"),
    path("<slug:table>.csv", views.export, name="reports-export"),
]
