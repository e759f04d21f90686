import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from agreements.api.models import ApiToken

MAX_TOKENS_PER_USER = 20


def api_token_create(
    *, user, name: str, expires_on: datetime.date | None = None
) -> tuple[ApiToken, str]:
    """A personal token for `user`: the row (its hash only) and the token itself, which is
    shown once and never stored. With `expires_on` it stops working at the end of that day."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Say what the token is for, e.g. “PSA sync”."})
    if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS_PER_USER:
        raise ValidationError(
            f"You already have {MAX_TOKENS_PER_USER} tokens: revoke one you no longer use first."
        )
    expiry = None
    if expires_on is not None:
        if expires_on < timezone.localdate():
            raise ValidationError({"expires_on": "The expiry date has passed; pick a later one."})
        end_of_day = datetime.datetime.combine(expires_on, datetime.time.max)
        expiry = timezone.make_aware(end_of_day) - timezone.now()
    return ApiToken.objects.create(user=user, expiry=expiry, name=name)


def api_token_revoke(*, user, token_key: str) -> bool:
    """Revoke one of `user`'s tokens; False when they have none by that key."""
    deleted, _ = ApiToken.objects.filter(user=user, token_key=token_key).delete()
    return bool(deleted)
