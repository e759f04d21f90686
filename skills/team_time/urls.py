"""The team's time, under the skills app's names (included by skills/urls.py)."""

from django.urls import path

from skills.team_time import views

urlpatterns = [
    path(
        "technicians/<id:pk>/working-hours/",
        views.WorkingHoursView.as_view(),
        name="working_hours",
    ),
    path(
        "technicians/<id:pk>/time-off/new/",
        views.TimeOffCreateView.as_view(),
        name="time_off_create",
    ),
    path("time-off/<id:pk>/edit/", views.TimeOffUpdateView.as_view(), name="time_off_update"),
    path("time-off/<id:pk>/delete/", views.TimeOffDeleteView.as_view(), name="time_off_delete"),
    path("team/calendar/", views.TeamCalendarView.as_view(), name="team_calendar"),
    path("rotas/", views.RotaListView.as_view(), name="rota_list"),
    path("rotas/new/", views.RotaCreateView.as_view(), name="rota_create"),
    path("rotas/<id:pk>/", views.RotaDetailView.as_view(), name="rota_detail"),
    path("rotas/<id:pk>/edit/", views.RotaUpdateView.as_view(), name="rota_update"),
    path("rotas/<id:pk>/members/", views.RotaMembersView.as_view(), name="rota_members"),
    path("rotas/<id:pk>/swap/", views.RotaSwapView.as_view(), name="rota_swap"),
    path("rotas/<id:pk>/cover/", views.RotaCoverView.as_view(), name="rota_cover"),
]
