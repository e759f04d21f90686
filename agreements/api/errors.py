"""Every refusal of the API in one of two shapes: `{"detail": "…"}`, or field errors
`{"<field>": ["…"], …}` (rows of a nested list as a list of such objects). Nothing the caller
sends gives a 500."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from agreements.api.throttling import anonymous_refusal_throttled
from agreements.coverage.check_now import QueueUnavailable


def validation_detail(error: DjangoValidationError) -> dict:
    """A model or service ValidationError as the API's field errors; errors about the whole row
    go under "non_field_errors", as DRF puts them."""
    if not hasattr(error, "error_dict"):
        return {"non_field_errors": error.messages}
    return {
        ("non_field_errors" if field == "__all__" else field): messages
        for field, messages in error.message_dict.items()
    }


def exception_handler(exc, context):
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        exc = anonymous_refusal_throttled(context["request"], context["view"]) or exc
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=validation_detail(exc))
    if isinstance(exc, ProtectedError | RestrictedError):
        set_rollback()
        names = sorted({str(row) for row in exc.protected_objects})
        used_by = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        return Response(
            {"detail": f"Still in use, by {used_by}: remove those first."},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, QueueUnavailable):
        set_rollback()
        return Response({"detail": exc.user_message}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    return drf_exception_handler(exc, context)
