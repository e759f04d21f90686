from django.http import Http404

from agreements.models import ImportBatch


def import_batches_of(user):
    """The batches a user may look at and carry on: their own (every one for a superuser)."""
    batches = ImportBatch.objects.select_related("created_by")
    return batches if user.is_superuser else batches.filter(created_by=user)


def import_batch_get(*, user, pk) -> ImportBatch:
    batch = import_batches_of(user).filter(pk=pk).first()
    if batch is None:
        raise Http404("No such import.")
    return batch
