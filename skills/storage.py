"""Files that must not be served as static media: kept under PRIVATE_MEDIA_ROOT, outside the
web root, and handed out only by views that check who asks."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateMediaStorage(FileSystemStorage):
    """A file system storage under settings.PRIVATE_MEDIA_ROOT (read when first used, so tests
    may point it elsewhere) and without URLs: nothing links to a file directly."""

    def __init__(self):
        super().__init__(base_url=None)

    def deconstruct(self):
        return ("skills.storage.PrivateMediaStorage", (), {})

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL: serve them through a view that checks access.")
