from django.urls import path

from agreements import views

app_name = "agreements"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("agreements/", views.AgreementListView.as_view(), name="list"),
    path("agreements/new/", views.AgreementCreateView.as_view(), name="create"),
    path("agreements/<int:pk>/", views.AgreementDetailView.as_view(), name="detail"),
    path("agreements/<int:pk>/edit/", views.AgreementUpdateView.as_view(), name="update"),
    path("agreements/<int:pk>/history/", views.AgreementHistoryView.as_view(), name="history"),
    path("coverage/run/", views.CoverageRunNowView.as_view(), name="coverage_run"),
    path("coverage/status/", views.CoverageStatusView.as_view(), name="coverage_status"),
    path(
        "flags/<int:pk>/acknowledge/",
        views.FlagAcknowledgeView.as_view(),
        name="flag_acknowledge",
    ),
    path("reports/", views.ReportListView.as_view(), name="report_list"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
]
