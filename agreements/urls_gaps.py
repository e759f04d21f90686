from django.urls import path

from agreements import views_gaps

app_name = "gaps"

urlpatterns = [
    path("gaps/", views_gaps.gap_analysis, name="analysis"),
    path("gaps/add-to-plan/", views_gaps.add_to_plan, name="add-to-plan"),
    path("plan/", views_gaps.plan_of_attack, name="plan"),
    path("plan/<int:pk>/start/", views_gaps.goal_start, name="goal-start"),
    path("plan/<int:pk>/cancel/", views_gaps.goal_cancel, name="goal-cancel"),
    path("plan/<int:pk>/done/", views_gaps.goal_done, name="goal-done"),
    path("what-if/", views_gaps.what_if, name="what-if"),
    path("competitors/", views_gaps.competitor_list, name="competitors"),
    path("competitors/new/", views_gaps.competitor_create, name="competitor-create"),
    path("competitors/<int:pk>/edit/", views_gaps.competitor_edit, name="competitor-edit"),
]
