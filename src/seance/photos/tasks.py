"""Background import: with a broker configured, uploads are ingested by Celery workers on any
machine; without one, the same task runs in-process (eager), so there is one code path."""

from celery import shared_task
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import DatabaseError

STAGING = "incoming"


def stage_upload(data: bytes, name: str) -> str:
    """Keep an uploaded file in the private storage until a worker ingests it."""
    import uuid

    return storages["private"].save(f"{STAGING}/{uuid.uuid4().hex}", ContentFile(data, name=name))


@shared_task(
    name="seance.photos.tasks.ingest_staged",
    ignore_result=True,
    autoretry_for=(OSError, DatabaseError),
    retry_backoff=True,
    max_retries=5,
)
def ingest_staged(
    session_id: int, album_id: int, staged: str, filename: str, import_order: int
) -> str:
    """Ingest a staged upload, then drop the staged copy; returns the outcome's kind."""
    from seance.photos import services
    from seance.photos.models import Album

    storage = storages["private"]
    album = Album.objects.select_related("session__organizer").get(pk=album_id)
    if album.session_id != session_id:
        raise ValueError("album and session do not match")
    with storage.open(staged, "rb") as f:
        data = f.read()
    try:
        result = services.ingest_photo(
            album.session, album=album, data=data, filename=filename, import_order=import_order
        )
        outcome = "duplicate" if result.duplicate else "imported"
    except services.ImportProblem as e:
        outcome = e.kind  # a final answer about this file: nothing to retry
    # Only now: a database or storage failure above leaves the file for the retry.
    storage.delete(staged)
    return outcome
