from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Site"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.urls import register_converter
        from simple_history.signals import pre_create_historical_record

        from core.bounds import IdConverter
        from core.middleware import session_seen_at_login
        from core.services import history_reason_fill

        user_logged_in.connect(session_seen_at_login, dispatch_uid="core.session_seen_at_login")
        pre_create_historical_record.connect(
            history_reason_fill, dispatch_uid="core.history_reason_fill"
        )
        # `<id:pk>` in every app's URLs, registered before any URLconf is read.
        register_converter(IdConverter, "id")
