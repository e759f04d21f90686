from django.urls import path

from agreements.coverage import views

app_name = "coverage"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("coverage/run/", views.CoverageRunNowView.as_view(), name="run_now"),
    path("coverage/status/", views.CoverageStatusView.as_view(), name="status"),
    path("coverage/impact/<str:key>/", views.ChangeImpactView.as_view(), name="change_impact"),
    path(
        "requirements/<id:pk>/",
        views.RequirementCoverageView.as_view(),
        name="requirement_detail",
    ),
    path("flags/", views.FlagListView.as_view(), name="flag_list"),
    path(
        "flags/<id:pk>/acknowledge/",
        views.FlagAcknowledgeView.as_view(),
        name="flag_acknowledge",
    ),
    path("reports/", views.ReportListView.as_view(), name="report_list"),
    path("reports/preview/", views.ReportPreviewView.as_view(), name="report_preview"),
    path("reports/<id:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path(
        "reports/<id:pk>/test-email/",
        views.ReportTestEmailView.as_view(),
        name="report_test_email",
    ),
    path(
        "reports/<id:pk>/requirements/",
        views.CheckRequirementListView.as_view(),
        name="check_requirements",
    ),
    path(
        "partner-programmes/status/",
        views.ProgrammeStatusView.as_view(),
        name="programme_status",
    ),
    path(
        "reports/<id:pk>/partner-programmes/",
        views.ProgrammeStatusView.as_view(),
        name="programme_status",
    ),
    path("end-of-support/", views.EndOfSupportView.as_view(), name="end_of_support"),
    path("skills/matrix/", views.SkillsMatrixView.as_view(), name="matrix"),
    path("skills/matrix/csv/", views.SkillsMatrixCsvView.as_view(), name="matrix_csv"),
    path(
        "account/calendar/",
        views.CalendarFeedSettingsView.as_view(),
        name="calendar_feed_settings",
    ),
    path("calendar/<str:token>.ics", views.CalendarFeedView.as_view(), name="calendar_feed"),
    path("settings/", views.CoverageSettingsView.as_view(), name="settings"),
    path("notifications/", views.NotificationsView.as_view(), name="notifications"),
]
