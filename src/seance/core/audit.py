"""The audit log: every service that changes something records it here, in its transaction."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile

from seance.core.models import LogEntry, Organizer


def _plain(value: Any) -> Any:
    """A JSON-storable, human-readable form of a field value."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of ``fields`` on ``obj``, ready for :func:`changes`."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field whose value differs."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def log_action(
    obj: models.Model,
    action: str,
    *,
    user=None,
    organizer: Organizer | None = None,
    data: dict[str, Any] | None = None,
) -> LogEntry:
    """Record ``action`` (e.g. ``"seance.session.created"``) on ``obj``.

    Call it inside the service's transaction so the change and its record commit together.
    """
    if organizer is None:
        organizer = obj if isinstance(obj, Organizer) else getattr(obj, "organizer", None)
    return LogEntry.objects.create(
        organizer=organizer,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        action=action,
        user=user if user is not None and user.is_authenticated else None,
        data={k: _plain(v) for k, v in (data or {}).items()},
    )


def entries_for(obj: models.Model):
    """The log of one object, newest first, with who did it."""
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("user")
