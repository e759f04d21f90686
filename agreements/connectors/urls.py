from django.urls import path

from agreements.connectors import views

app_name = "connectors"

urlpatterns = [
    path("", views.ConnectionListView.as_view(), name="list"),
    path("add/", views.ConnectionFormView.as_view(), name="add"),
    path("<id:pk>/", views.ConnectionDetailView.as_view(), name="detail"),
    path("<id:pk>/edit/", views.ConnectionFormView.as_view(), name="edit"),
    path("<id:pk>/test/", views.ConnectionTestView.as_view(), name="test"),
    path("<id:pk>/sync/", views.SyncNowView.as_view(), name="sync"),
    path("<id:pk>/mappings/", views.MappingsView.as_view(), name="mappings"),
    path("<id:pk>/runs/<id:run_pk>/confirm/", views.RunConfirmView.as_view(), name="confirm"),
    path("<id:pk>/runs/<id:run_pk>/cancel/", views.RunCancelView.as_view(), name="cancel"),
]
