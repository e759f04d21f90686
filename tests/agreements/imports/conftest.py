import pytest

from agreements.imports.flow import import_batch_confirm_start, import_batch_create
from agreements.service_catalog import load_catalog


@pytest.fixture
def catalog(db):
    load_catalog()


def csv_bytes(lines: list[str], *, encoding="utf-8", separator=",") -> bytes:
    text = "\r\n".join(line.replace(",", separator) if separator != "," else line for line in lines)
    return (text + "\r\n").encode(encoding)


@pytest.fixture
def upload(consultant):
    """Upload `data` as a file of `kind`: the batch with its preview."""

    def run(kind, data, *, filename="data.csv", **options):
        return import_batch_create(
            user=consultant, kind=kind, filename=filename, data=data, **options
        )

    return run


@pytest.fixture
def confirm(consultant):
    def run(batch):
        return import_batch_confirm_start(batch=batch, user=consultant)

    return run


def statuses(batch) -> dict:
    """{key shown: status} of every row of the preview."""
    return {row["key"]: row["status"] for row in batch.preview["rows"]}


def saved_state() -> dict:
    """Every row of the tables an import writes, history included, to tell whether an import
    wrote anything."""
    from django.apps import apps

    state = {}
    for app_label in ("clients", "skills", "agreements"):
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.model_name in ("importbatch", "importmappingpreset"):
                continue
            state[model._meta.label] = list(model.objects.order_by("pk").values())
    return state


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    """Uploaded files go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
