"""Test settings: the real ones, with a throw-away data dir and fast password hashing."""

import os
import tempfile

os.environ.setdefault("SEANCE_DATA_DIR", tempfile.mkdtemp(prefix="seance-test-"))

from seance.settings import *  # noqa: F403
from seance.settings import STATIC_ROOT, STORAGES

STATIC_ROOT.mkdir(exist_ok=True)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
