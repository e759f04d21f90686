from django.urls import path

from agreements import views_matrix

app_name = "matrix"

urlpatterns = [
    path("", views_matrix.SkillsMatrixView.as_view(), name="matrix"),
    path("csv/", views_matrix.SkillsMatrixCsvView.as_view(), name="csv"),
]
