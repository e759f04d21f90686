from django.db import models
from knox.models import AbstractAuthToken


class ApiToken(AbstractAuthToken):
    """A personal API token: only its hash is stored (django-rest-knox); the token itself is shown
    once, when it is made. It acts as its user, never with admin-only rights."""

    name = models.CharField(max_length=80, help_text="What the token is for, e.g. “PSA sync”.")
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.token_key}…)"
