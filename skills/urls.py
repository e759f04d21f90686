from django.urls import include, path

from skills import views

app_name = "skills"

urlpatterns = [
    path("technicians/", views.TechnicianListView.as_view(), name="technician_list"),
    path(
        "technicians/autocomplete/",
        views.TechnicianAutocompleteView.as_view(),
        name="technician_autocomplete",
    ),
    path("technicians/new/", views.TechnicianCreateView.as_view(), name="technician_create"),
    path("technicians/<id:pk>/", views.TechnicianDetailView.as_view(), name="technician_detail"),
    path(
        "technicians/<id:pk>/edit/",
        views.TechnicianUpdateView.as_view(),
        name="technician_update",
    ),
    path(
        "technicians/skills/<id:pk>/still-accurate/",
        views.TechnicianSkillConfirmView.as_view(),
        name="technician_skill_confirm",
    ),
    path("skills/", views.SkillCatalogView.as_view(), name="catalog"),
    path("skills/new/", views.SkillCreateView.as_view(), name="skill_create"),
    path("skills/<id:pk>/", views.SkillDetailView.as_view(), name="skill_detail"),
    path("skills/<id:pk>/edit/", views.SkillUpdateView.as_view(), name="skill_update"),
    path("skills/autocomplete/", views.SkillAutocompleteView.as_view(), name="skill_autocomplete"),
    path("skills/versions/", views.VersionOptionsView.as_view(), name="version_options"),
    path("", include("skills.team_time.urls")),
    path("", include("skills.proposals.urls")),
    path("", include("skills.partners.urls")),
]
