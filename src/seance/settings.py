"""Séance settings: one module, configured by SEANCE_* environment variables.

With nothing set, the embedded default runs: SQLite and local files under
``SEANCE_DATA_DIR`` (``./var``), tasks run in-process, email goes to the console.
"""

import secrets
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

env = environ.Env()

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env.str("SEANCE_DATA_DIR", default="var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The configured key, or one generated once into the data dir and kept there."""
    if key := env.str("SEANCE_SECRET_KEY", default=""):
        return key
    path = DATA_DIR / ".secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("SEANCE_DEBUG", default=False)
ALLOWED_HOSTS = env.list("SEANCE_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("SEANCE_CSRF_TRUSTED_ORIGINS", default=[])
# Where Séance is reached from outside: links in emails sent without a request (tick, CLI).
SEANCE_SITE_URL = env.str("SEANCE_SITE_URL", default="http://127.0.0.1:8000")

# Payments and delivery. Stripe Checkout is offered when a secret key is set; its webhook
# endpoint is <site>/webhooks/stripe/, signed with the endpoint's secret.
SEANCE_STRIPE_SECRET_KEY = env.str("SEANCE_STRIPE_SECRET_KEY", default="")
SEANCE_STRIPE_WEBHOOK_SECRET = env.str("SEANCE_STRIPE_WEBHOOK_SECRET", default="")
# How long a download link in an email or on the order page keeps working.
SEANCE_DOWNLOAD_DAYS = env.int("SEANCE_DOWNLOAD_DAYS", default=14)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "seance.core",
    "seance.catalog",
    "seance.comms",
    "seance.commerce",
    "seance.photos",
    "seance.backoffice",
    "seance.shop",
    "seance.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "seance.core.middleware.StaffMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "seance.urls"
WSGI_APPLICATION = "seance.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "seance.core.context_processors.staff",
            ],
        },
    },
]

# Database: SQLite under the data dir unless SEANCE_DATABASE_URL points elsewhere.
if env.str("SEANCE_DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("SEANCE_DATABASE_URL")}
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    if "postgresql" in DATABASES["default"]["ENGINE"]:
        # The orders panel's correlated subqueries look costly to the planner, which then
        # spends longer compiling them (JIT) than running them (bench/orders.py).
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "seance.sqlite3",
            "OPTIONS": {
                # Writers take the lock when their transaction starts, so two writers
                # queue up instead of failing half-way with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["seance.core.auth.EmailBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "backoffice:home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# X2: English and French first.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Originals and anything a customer must not see before purchase (X4).
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "private"},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

EMAIL_CONFIG = env.email_url("SEANCE_EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("SEANCE_DEFAULT_FROM_EMAIL", default="Séance <noreply@localhost>")
# An email provider through django-anymail instead of SMTP: SEANCE_ANYMAIL_ESP=brevo (or
# mailgun, amazon_ses, postmark, sendgrid…) and its API key.
if ESP := env.str("SEANCE_ANYMAIL_ESP", default=""):
    EMAIL_BACKEND = f"anymail.backends.{ESP}.EmailBackend"
    ANYMAIL = {f"{ESP.upper()}_API_KEY": env.str("SEANCE_ANYMAIL_API_KEY", default="")}
# SMS (P9): "console" prints them; "brevo" sends them with Brevo's API.
SEANCE_SMS_BACKEND = env.str("SEANCE_SMS_BACKEND", default="console")
SEANCE_SMS_SENDER = env.str("SEANCE_SMS_SENDER", default="Seance")
SEANCE_BREVO_API_KEY = env.str("SEANCE_BREVO_API_KEY", default="")

# The shared cache: Redis when configured, the database otherwise (its table is made by
# `seance migrate`), so that every worker process sees the same counters (rate limits).
if env.str("SEANCE_CACHE_URL", default=""):
    CACHES = {"default": env.cache_url("SEANCE_CACHE_URL")}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "seance_cache",
            "OPTIONS": {"MAX_ENTRIES": 200_000},
        }
    }
RATELIMIT_USE_CACHE = "default"
# Behind reverse proxies, how many of them add the client's address to X-Forwarded-For:
# rate limits then key on the address the outermost proxy saw. 0: REMOTE_ADDR.
SEANCE_TRUSTED_PROXIES = env.int("SEANCE_TRUSTED_PROXIES", default=0)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SEANCE_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# Background work: Celery on a broker when one is configured, in-process otherwise.
CELERY_BROKER_URL = env.str("SEANCE_BROKER_URL", default="") or "memory://"
CELERY_TASK_ALWAYS_EAGER = not env.str("SEANCE_BROKER_URL", default="")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# Web uploads are ingested by workers when there are some, in the request otherwise.
SEANCE_INGEST_IN_BACKGROUND = not CELERY_TASK_ALWAYS_EAGER
CELERY_BEAT_SCHEDULE = {
    "tick": {"task": "seance.core.tasks.tick", "schedule": 60.0},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("SEANCE_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
