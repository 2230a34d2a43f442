"""Test settings: the real ones, with a throw-away data dir and fast password hashing."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SEANCE_DATA_DIR", tempfile.mkdtemp(prefix="seance-test-"))

from seance.settings import *  # noqa: F403
from seance.settings import DATABASES, STATIC_ROOT, STORAGES

STATIC_ROOT.mkdir(exist_ok=True)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, as in production: threads then share it through SQLite's own locking (WAL,
    # IMMEDIATE transactions, busy timeout) instead of an in-memory database's table locks.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(os.environ["SEANCE_DATA_DIR"]) / "test.sqlite3")
    }

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
