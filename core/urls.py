from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("", views.coming_soon, {"title": "Dashboard"}, name="dashboard"),
    path("clients/", views.coming_soon, {"title": "Clients"}, name="clients"),
    path("agreements/", views.coming_soon, {"title": "Agreements"}, name="agreements"),
    path("technicians/", views.coming_soon, {"title": "Technicians"}, name="technicians"),
    path("skills/", views.coming_soon, {"title": "Skills"}, name="skills"),
    path("gaps/", views.coming_soon, {"title": "Gaps"}, name="gaps"),
    path("reports/", views.coming_soon, {"title": "Reports"}, name="reports"),
]
