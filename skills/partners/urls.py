"""The partner programmes, under the skills app's names (included by skills/urls.py)."""

from django.urls import path

from skills.partners import views

urlpatterns = [
    path("partner-programmes/", views.PartnerProgramListView.as_view(), name="programme_list"),
    path(
        "partner-programmes/new/",
        views.PartnerProgramCreateView.as_view(),
        name="programme_create",
    ),
    path(
        "partner-programmes/<id:pk>/",
        views.PartnerProgramDetailView.as_view(),
        name="programme_detail",
    ),
    path(
        "partner-programmes/<id:pk>/edit/",
        views.PartnerProgramUpdateView.as_view(),
        name="programme_update",
    ),
]
