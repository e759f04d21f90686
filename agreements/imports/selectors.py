from django.db.models import Q
from django.http import Http404

from agreements.imports.models import ImportBatch


def import_batches_of(user):
    """The batches a user may look at and carry on: their own (every one for a superuser), and
    for staff the previews of the connections' syncs (written by a connection's own user)."""
    batches = ImportBatch.objects.select_related("created_by")
    if user.is_superuser:
        return batches
    if user.is_staff:
        return batches.filter(Q(created_by=user) | Q(created_by__connection__isnull=False))
    return batches.filter(created_by=user)


def import_batch_get(*, user, pk) -> ImportBatch:
    batch = import_batches_of(user).filter(pk=pk).first()
    if batch is None:
        raise Http404("No such import.")
    return batch


def kind_export(kind_key: str, file_format: str) -> bytes:
    """Everything of one kind saved now, as the file the import reads (CSV with BOM, or XLSX)."""
    from agreements.imports.kinds import KINDS
    from core.exports import csv_response, xlsx_bytes

    kind = KINDS[kind_key]
    resource = kind.resource_class()
    header = resource.get_export_headers()
    rows = (resource.export_resource(row) for row in kind.export_rows().iterator(chunk_size=2000))
    if file_format == "xlsx":
        return xlsx_bytes(header, rows)
    return b"".join(
        part if isinstance(part, bytes) else part.encode()
        for part in csv_response("export.csv", header, rows).streaming_content
    )
