import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core import groups
from tests.conftest import make_user
from tests.skills.factories import TechnicianFactory

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def png_bytes() -> bytes:
    """A real one-pixel PNG."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def upload(name: str, content: bytes, content_type="application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


def technician_login(django_user_model, username, name, *, also=()):
    """A login in the Technician group (and the groups `also`) linked to a new technician."""
    user = make_user(
        django_user_model,
        username,
        group=groups.TECHNICIAN,
        first_name=name.split()[0],
        last_name=name.split()[-1],
    )
    for group in also:
        user.groups.add(django_user_model.groups.field.related_model.objects.get(name=group))
    technician = TechnicianFactory(name=name, email=f"{username}@msp.example", user=user)
    return user, technician


@pytest.fixture
def sam(django_user_model):
    """Sam Okafor: a technician who logs in."""
    return technician_login(django_user_model, "sam", "Sam Okafor")


@pytest.fixture
def lena(django_user_model):
    """Lena Brandt: another technician who logs in."""
    return technician_login(django_user_model, "lena", "Lena Brandt")


@pytest.fixture
def approver(django_user_model):
    return make_user(
        django_user_model,
        "ada.approver",
        group=groups.SKILL_APPROVERS,
        first_name="Ada",
        last_name="Quist",
    )
