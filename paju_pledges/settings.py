"""Settings for the Paju pledge portal: one module, driven by environment variables.

Environment variables
    DJANGO_DEBUG           "1" turns debug on (off by default).
    DJANGO_SECRET_KEY      required when debug is off.
    DJANGO_ALLOWED_HOSTS   comma-separated host names (default: localhost names in debug only).
    DATABASE_URL           e.g. postgres://user:pass@host:5432/db; SQLite file when unset.
    DJANGO_LOCAL_AREA_CODE telephone area code for officials' short numbers (default 031).
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY가 설정되지 않았습니다. 운영 환경(DJANGO_DEBUG=0)에서는 비밀 키가 "
            "필요합니다. / DJANGO_SECRET_KEY is not set: it is required when DJANGO_DEBUG is off."
        )
    # Debug only: a throwaway key, new at every start, never used in production.
    SECRET_KEY = "insecure-debug-only-" + os.urandom(24).hex()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "import_export",
    "simple_history",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "departments",
    "pledges",
    "budgets",
    "publications",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # before anything that may answer /api/
    "portal.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal.middleware.OpenDataMiddleware",  # /api/: language asked, JSON 404, Cache-Control
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # login throttling first
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "paju_pledges.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "paju_pledges.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# A long import never makes other requests fail on SQLite: WAL lets readers go on while
# one connection writes, every transaction takes the write lock when it begins
# (IMMEDIATE: two writers queue instead of one failing when it upgrades its lock), and a
# writer waits up to DJANGO_SQLITE_TIMEOUT seconds for the lock instead of raising
# "database is locked". (PostgreSQL: the import validates outside its transaction and
# writes in one short atomic block.)
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    "transaction_mode": "IMMEDIATE",
    "timeout": int(os.environ.get("DJANGO_SQLITE_TIMEOUT", "30")),
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
elif "postgresql" in DATABASES["default"]["ENGINE"]:
    # No JIT compilation: the portal's queries are short, and PostgreSQL's cost estimate
    # of a query with correlated subqueries can pass jit_above_cost, so compiling would
    # cost more than running it.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Korean is the default; English comes through Django i18n.
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Cache for public pages. Local memory by default (pages are keyed by the data version,
# read from the database per request, so several workers never serve stale figures).
# Several app servers can share Redis or Memcached: DJANGO_CACHE_URL=redis://host:6379/1
# (pip install redis) or memcached://host:11211 (pip install pymemcache).
CACHE_URL = os.environ.get("DJANGO_CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL.startswith("memcached://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
            "LOCATION": CACHE_URL.removeprefix("memcached://"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

# Background tasks (Django's tasks API through the django-tasks backport): the database
# backend keeps the queue in the portal's own database, so every app server enqueues and
# `manage.py db_worker` (started by `make run` and `make serve`) runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Audit workbooks written in the background: a private folder (never served as static or
# media), shared by every app server and the worker; files expire after the TTL.
AUDIT_REPORTS_DIR = Path(os.environ.get("DJANGO_AUDIT_REPORTS_DIR") or BASE_DIR / "var" / "reports")
AUDIT_REPORT_TTL_HOURS = int(os.environ.get("DJANGO_AUDIT_REPORT_TTL_HOURS", "24"))

# Officials' numbers are printed without the area code ("940-4180").
LOCAL_AREA_CODE = os.environ.get("DJANGO_LOCAL_AREA_CODE", "031")

# Security. Production (debug off) gets HTTPS-only cookies, HSTS, SSL redirect and the
# headers below; DJANGO_SECURE_SSL_REDIRECT=0 turns the redirect off where a proxy
# already does it (or for local tests over plain http).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# HTTPS-only cookies in production; DJANGO_SECURE_COOKIES=0 only for tests over plain http.
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
if env_bool("DJANGO_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content Security Policy (django-csp): our own files only; no inline script or style,
# no eval. Charts are JSON data blocks drawn by our static charts.js.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Open data API (portal/api): read-only, anonymous, JSON, throttled per client address.
# DJANGO_API_THROTTLE_RATE sets the rate (e.g. "600/minute"; the benchmark raises it);
# DJANGO_API_AS_OF_THROTTLE_RATE the rate of requests rebuilt as of a day (?as_of=).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "portal.api.throttles.RebuiltAsOfThrottle",  # ?as_of= rebuilds from history: dearer
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("DJANGO_API_THROTTLE_RATE", "300/minute"),
        "as_of": os.environ.get("DJANGO_API_AS_OF_THROTTLE_RATE", "30/minute"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.views.exception_handler",
    # Without a proxy the client is the connection's address: X-Forwarded-For is the
    # client's own header and would let it pick a new identity per request.
    "NUM_PROXIES": 1 if env_bool("DJANGO_BEHIND_PROXY") else 0,
}
# Any origin may read the open data (GET, HEAD and their preflight), sending its own
# conditional headers; a browser script may read the headers that matter to it.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "accept-language", "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = [
    "Content-Disposition",
    "ETag",
    "Last-Modified",
    "Retry-After",
    "X-Data-As-Of",
]
CORS_PREFLIGHT_MAX_AGE = 86400
# How long a client or shared cache may reuse an open-data answer without asking again
# (then it revalidates with its ETag: a 304 costs one small query).
API_CACHE_SECONDS = int(os.environ.get("DJANGO_API_CACHE_SECONDS", "60"))

SPECTACULAR_SETTINGS = {
    "TITLE": "파주시 공약 이행 포털 Open data API",
    "DESCRIPTION": (
        "민선8기 공약의 카드 전체와 인쇄된 모든 금액 칸(백만원). Read-only, anonymous; "
        "amounts are integers in 백만원 (millions of won), unpublished values are null. "
        "`?as_of=YYYY-MM-DD` rebuilds what the portal showed at the end of that day (Seoul)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "OAS_VERSION": "3.1.0",
}

# Login throttling (django-axes): 5 failures lock the username from that address for
# 15 minutes, with a clear message.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

# django-import-export: imports are atomic; a file is checked before its rows are read.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_MAX_BYTES = 5 * 1024 * 1024
IMPORT_MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
IMPORT_MAX_ROWS = 20_000
# A checked upload waits for its confirm under a name the server chose, in a folder of
# its own, for at most IMPORT_UPLOAD_MAX_AGE seconds (then it is deleted).
IMPORT_UPLOAD_DIR = Path(
    os.environ.get("DJANGO_IMPORT_UPLOAD_DIR") or Path(tempfile.gettempdir()) / "paju-imports"
)
IMPORT_UPLOAD_MAX_AGE = 60 * 60
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# django-simple-history: keep who changed what and why.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Structured logs (one key=value line per event): admin writes and failed logins go to
# the "paju.audit" logger (core/audit_log.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "keyvalue": {
            "format": "time=%(asctime)s level=%(levelname)s logger=%(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "keyvalue"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# The authority of the open data's permanent ids (RFC 4151 tag: URIs of publications, in
# the Atom feeds and /api/publications/): a domain the city held on that date. Never
# change it once published: feed readers would see every entry as new.
TAG_AUTHORITY = os.environ.get("DJANGO_TAG_AUTHORITY", "paju.go.kr,2022")

# The licence the open data is published under, as the data package states it: one of
# the 공공누리 types KOGL-Type1 … KOGL-Type4 (portal/api/datapackage.py). Unset: the package
# says the licence is not confirmed yet and asks for attribution.
DATA_LICENSE = os.environ.get("DJANGO_DATA_LICENSE", "").strip()
