from django.urls import path

from agreements.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.ImportStartView.as_view(), name="start"),
    path("download/", views.ImportTemplateView.as_view(), name="download"),
    path("<id:pk>/", views.ImportBatchView.as_view(), name="batch"),
    path("<id:pk>/status/", views.ImportStatusView.as_view(), name="status"),
]
