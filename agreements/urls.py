from django.urls import path

from agreements import views

app_name = "agreements"

urlpatterns = [
    path("", views.AgreementListView.as_view(), name="list"),
    path("new/", views.AgreementCreateView.as_view(), name="create"),
    path("<id:pk>/", views.AgreementDetailView.as_view(), name="detail"),
    path("<id:pk>/edit/", views.AgreementUpdateView.as_view(), name="update"),
    path("<id:pk>/history/", views.AgreementHistoryView.as_view(), name="history"),
]
