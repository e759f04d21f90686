"""An evidence file's checks: its type read from its content (a name proves nothing), its size,
and a plain name."""

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

# What a proposal's evidence may be, by the type its first bytes show, and the extension its
# stored copy gets.
EVIDENCE_TYPES = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
HEAD_BYTES = 8192


def evidence_check(file) -> str:
    """The extension `file` is stored under; a ValidationError saying what is wrong when it is
    not a PDF, PNG or JPEG of at most EVIDENCE_MAX_BYTES with a plain name."""
    name = file.name or ""
    if "/" in name or "\\" in name or name in {"", ".", ".."} or "\x00" in name:
        raise ValidationError(
            "The file's name must be a plain name, without folders: rename it and try again.",
            code="path",
        )
    limit = settings.EVIDENCE_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            f"The file is {filesizeformat(file.size)}; evidence may be at most "
            f"{filesizeformat(limit)}.",
            code="size",
        )
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in EVIDENCE_TYPES:
        raise ValidationError(
            f"{name} is not a PDF, PNG or JPEG file (its content was checked, not its name): "
            "export the certificate as one of those.",
            code="type",
        )
    return EVIDENCE_TYPES[kind.mime]
