from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Site"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.urls import register_converter

        from core.bounds import IdConverter
        from core.middleware import session_seen_at_login

        user_logged_in.connect(session_seen_at_login, dispatch_uid="core.session_seen_at_login")
        # `<id:pk>` in every app's URLs, registered before any URLconf is read.
        register_converter(IdConverter, "id")
