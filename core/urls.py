from django.contrib.auth import views as auth_views
from django.urls import path

from core import views
from core.accounts import LoginForm

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/two-factor/", views.TwoFactorView.as_view(), name="two_factor"),
    path("health/", views.HealthView.as_view(), name="health"),
]
