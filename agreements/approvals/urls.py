from django.urls import path

from agreements.approvals import views

app_name = "approvals"

urlpatterns = [path("approvals/", views.ApprovalQueueView.as_view(), name="queue")]
