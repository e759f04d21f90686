from django.urls import path

from agreements.planning import views

app_name = "planning"

urlpatterns = [
    path("gaps/", views.GapAnalysisView.as_view(), name="gap_analysis"),
    path("gaps/add-to-plan/", views.AddToPlanView.as_view(), name="add_to_plan"),
    path(
        "gaps/partner-programmes/<id:pk>/add-to-plan/",
        views.ProgrammePlanView.as_view(),
        name="programme_plan",
    ),
    path("plan/", views.PlanView.as_view(), name="plan"),
    path("plan/<id:pk>/start/", views.GoalStartView.as_view(), name="goal_start"),
    path("plan/<id:pk>/cancel/", views.GoalCancelView.as_view(), name="goal_cancel"),
    path("plan/<id:pk>/done/", views.GoalDoneView.as_view(), name="goal_done"),
    path("plan/<id:pk>/edit/", views.GoalUpdateView.as_view(), name="goal_update"),
    path("what-if/", views.WhatIfView.as_view(), name="what_if"),
    path("pre-sale/", views.ProspectCheckView.as_view(), name="prospect_check"),
    path("competitors/", views.CompetitorListView.as_view(), name="competitor_list"),
    path("competitors/new/", views.CompetitorCreateView.as_view(), name="competitor_create"),
    path(
        "competitors/<id:pk>/edit/",
        views.CompetitorUpdateView.as_view(),
        name="competitor_update",
    ),
]
