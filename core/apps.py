from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Site"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from core.middleware import session_seen_at_login

        user_logged_in.connect(session_seen_at_login, dispatch_uid="core.session_seen_at_login")
