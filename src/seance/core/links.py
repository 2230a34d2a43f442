"""Addresses written where there is no request to build them from: emails, cards, the CLI."""

from django.conf import settings


def absolute(path: str = "") -> str:
    """``path`` on the site's public address (``SEANCE_SITE_URL``)."""
    return settings.SEANCE_SITE_URL.rstrip("/") + path
