from django.urls import path

from clients import views

app_name = "clients"

urlpatterns = [
    path("", views.ClientListView.as_view(), name="list"),
    path("autocomplete/", views.ClientAutocompleteView.as_view(), name="autocomplete"),
    path("new/", views.ClientCreateView.as_view(), name="create"),
    path("<id:pk>/", views.ClientDetailView.as_view(), name="detail"),
    path("<id:pk>/edit/", views.ClientUpdateView.as_view(), name="update"),
]
