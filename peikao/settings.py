"""Django settings for Peikao.

Every setting that differs between installations comes from the environment, with safe defaults
for the embedded setup (SQLite under ./var/). Secrets never live in the repository: without
SECRET_KEY in the environment, a key is generated once into var/secret_key.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PEIKAO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")
# Public base URL, used in links that leave the platform (QR codes, notices).
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "ninja",  # the API docs (/api/docs) serve Swagger UI from our static files, not from a CDN
    "csp",
    "axes",
    "django_tasks",  # background tasks (issue 15): the tasks API of Django 6, on 5.2
    "django_tasks_db",  # their database backend and `manage.py db_worker`
    "peikao.core",
    "peikao.registry",
    "peikao.accounts",
    "peikao.training",
    "peikao.exams",
    "peikao.certificates",
    "peikao.compliance",
    "peikao.enforcement",
    "peikao.oversight",
    "peikao.reports",
    "peikao.web",
    "peikao.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "peikao.core.badinput.BadInputMiddleware",  # before anything reads the path, the cookies or the body
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "peikao.core.middleware.AuditContextMiddleware",
    "peikao.core.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",  # a locked-out login becomes its lockout page (429)
]

ROOT_URLCONF = "peikao.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "peikao.web.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "peikao.wsgi.application"

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'peikao.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web workers read while an import writes; IMMEDIATE avoids lock upgrades that fail.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES["default"].setdefault("TEST", {})

# Background tasks (django-tasks) are queued in the database: nothing else to run or install. A web request or
# `manage.py schedule` enqueues; `manage.py db_worker` runs them (README, "Scheduled runs"). A test that runs them
# overrides TASKS with django-tasks' immediate backend.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Scheduled jobs (peikao.core.schedule), in Beijing time: `manage.py schedule` enqueues a job once per period when its
# time has come. "every": "day" (at "at") or "week" (on ISO "weekday", 1 = Monday, at "at"); "task": a task's path;
# "attempts" (default 3) per period and "retry_minutes" (default 15) between a failed attempt and the next.
PEIKAO_SCHEDULE = {
    "detect": {"task": "peikao.oversight.tasks.detect", "every": "day", "at": "02:00"},
    "grade": {"task": "peikao.oversight.tasks.grade", "every": "week", "weekday": 1, "at": "03:00"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
# The session's user is loaded with its region and its link (accounts.AccountLink: organisation or person) in one query.
# Axes first: a locked-out login is refused before the password is checked (peikao/accounts/throttle.py).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "peikao.accounts.backends.AccountBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Login throttling (django-axes, peikao/accounts/throttle.py): a login is locked for the cool-off after this many
# failures of its account (from any address), or of its address (for any accounts: higher, as an exam room or an
# office shares one address) — counted from the last failure, which a try during the lockout renews.
AXES_FAILURE_LIMIT = int(os.environ.get("PEIKAO_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("PEIKAO_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # LoginThrottleHandler reads them in this order
AXES_HANDLER = "peikao.accounts.throttle.LoginThrottleHandler"
AXES_CLIENT_IP_CALLABLE = "peikao.accounts.throttle.login_ip"  # core.http.client_address: the trusted proxies apply
AXES_LOCKOUT_CALLABLE = "peikao.accounts.throttle.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
AXES_DISABLE_ACCESS_LOG = True  # successful logins: last_login is kept on the account; the lockouts need failures only
# Never stored with a failure (its query string and form are kept): passwords, ID numbers, admission codes, tokens.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "id_number", "admission_code", "csrfmiddlewaretoken"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "peikao" / "locale"]
FORMAT_MODULE_PATH = ["peikao.core.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
WHITENOISE_USE_FINDERS = True
# Files served at the site root: /favicon.ico (browsers ask for it on every first visit) and /robots.txt.
WHITENOISE_ROOT = BASE_DIR / "peikao" / "web" / "root"

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Content-Security-Policy (django-csp) of every response: scripts, style sheets, fonts and requests from this site
# only, no inline script (page scripts are static files; htmx is configured to add no style and evaluate nothing in
# web/base.html), images from here or data: URIs (QR codes, Pico's icons), no plugins, no framing, forms post here.
# The one concession: style="" attributes (layout tweaks in the templates; they cannot run code).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HTTPS only, in production behind the TLS proxy (off by default: `make run` serves plain HTTP on localhost).
# HSTS tells browsers to use HTTPS alone for this many seconds; start small (an hour), then a year. Once a browser has
# seen it, plain HTTP stays refused for that long, subdomains too when included: turn it on only when the whole site
# (with its subdomains) is served over HTTPS.
SECURE_HSTS_SECONDS = int(os.environ.get("PEIKAO_SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("PEIKAO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("PEIKAO_SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("PEIKAO_SECURE_SSL_REDIRECT", False)
# Behind the TLS proxy Django sees plain HTTP: the proxy says what the client used in X-Forwarded-Proto (it must set
# the header itself, overwriting any the client sent — nginx: proxy_set_header X-Forwarded-Proto $scheme).
if env_bool("PEIKAO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_id_numbers": {"()": "peikao.core.logging.MaskIdNumbersFilter"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_id_numbers"]},
        # runserver's access log (Django's own handler for it, with the mask): it does not reach the root logger.
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_id_numbers"],
        },
    },
    "loggers": {"django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Peikao's own settings.
PEIKAO: dict[str, Any] = {
    # How many rows an import validates and writes at a time (memory is bounded by this).
    "IMPORT_CHUNK_SIZE": int(os.environ.get("PEIKAO_IMPORT_CHUNK_SIZE", "5000")),
    # A class is filed at least this many days before it starts (开班备案).
    "CLASS_FILING_LEAD_DAYS": int(os.environ.get("PEIKAO_CLASS_FILING_LEAD_DAYS", "7")),
    # Attendance events may arrive up to this many minutes "from the future" (device clocks drift).
    "ATTENDANCE_CLOCK_SKEW_MINUTES": int(os.environ.get("PEIKAO_ATTENDANCE_CLOCK_SKEW_MINUTES", "5")),
    # Certificate signing keys (Ed25519, PKCS8 PEM files, mode 0600). $PEIKAO_SIGNING_KEY overrides them.
    "SIGNING_KEY_DIR": Path(os.environ.get("PEIKAO_SIGNING_KEY_DIR", VAR_DIR / "keys")),
    # Public certificate lookups per client (IP address) and minute.
    "VERIFY_RATE_PER_MINUTE": int(os.environ.get("PEIKAO_VERIFY_RATE_PER_MINUTE", "60")),
    # Reviews and expiries are listed this many days ahead.
    "CERTIFICATE_REMINDER_DAYS": int(os.environ.get("PEIKAO_CERTIFICATE_REMINDER_DAYS", "90")),
    # Fuller TrueType CJK fonts for certificate PDFs, tried before the font shipped with the project
    # (peikao/certificates/fonts/); the first that exists is embedded (as a subset).
    "PDF_FONTS": env_list("PEIKAO_PDF_FONTS", ""),
}
# Public lookups are logged in batches (seconds between writes; 0 writes each lookup at once).
PEIKAO["LOOKUP_LOG_FLUSH_SECONDS"] = float(os.environ.get("PEIKAO_LOOKUP_LOG_FLUSH_SECONDS", "1.0"))
# Public lookups are kept this many days, then deleted once leads were derived from them (manage.py purge_lookups).
PEIKAO["LOOKUP_RETENTION_DAYS"] = int(os.environ.get("PEIKAO_LOOKUP_RETENTION_DAYS", "365"))
# Rate limits of the public lookups: "local" (shared memory of this host) or "database" (exact across hosts).
PEIKAO["RATE_LIMIT_BACKEND"] = os.environ.get("PEIKAO_RATE_LIMIT_BACKEND", "local")
# Public verification keeps the answers for recently looked-up numbers per process (LRU), and checks at most
# this often whether the register changed.
PEIKAO["VERIFY_CACHE_ENTRIES"] = int(os.environ.get("PEIKAO_VERIFY_CACHE_ENTRIES", "100000"))
PEIKAO["VERIFY_CACHE_SECONDS"] = float(os.environ.get("PEIKAO_VERIFY_CACHE_SECONDS", "1.0"))
# An uploaded import file larger than this is refused with 413 before it is read (bytes; default 20 MB).
PEIKAO["MAX_UPLOAD_BYTES"] = int(os.environ.get("PEIKAO_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
# An evidence file (a photo, a phone video, a scanned document) of an inspection or a rectification.
PEIKAO["MAX_EVIDENCE_BYTES"] = int(os.environ.get("PEIKAO_MAX_EVIDENCE_BYTES", str(100 * 1024 * 1024)))
# An XLSX is a zip: each part, and all parts together, may unpack to at most this many bytes, and a part may unpack
# to at most this many times its packed size (zip bombs are refused before anything is parsed).
PEIKAO["XLSX_MAX_UNPACKED_BYTES"] = int(os.environ.get("PEIKAO_XLSX_MAX_UNPACKED_BYTES", str(256 * 1024 * 1024)))
PEIKAO["XLSX_MAX_COMPRESSION_RATIO"] = int(os.environ.get("PEIKAO_XLSX_MAX_COMPRESSION_RATIO", "100"))
# Rows of an XLSX import (all sheets together; larger files go as CSV, which streams without a limit).
PEIKAO["XLSX_MAX_ROWS"] = int(os.environ.get("PEIKAO_XLSX_MAX_ROWS", "200000"))
# Characters in one cell of an imported file (Excel's own limit); a longer cell rejects the file.
PEIKAO["IMPORT_MAX_CELL_CHARS"] = int(os.environ.get("PEIKAO_IMPORT_MAX_CELL_CHARS", "32767"))
# An import still running after this many minutes (its process was killed) is marked failed.
PEIKAO["IMPORT_STALE_MINUTES"] = int(os.environ.get("PEIKAO_IMPORT_STALE_MINUTES", "360"))
# A scheduled run still running after this many minutes (its worker was killed) is marked failed by the scheduler.
PEIKAO["SCHEDULE_STALE_MINUTES"] = int(os.environ.get("PEIKAO_SCHEDULE_STALE_MINUTES", "360"))
# Behind this many reverse proxies that append to X-Forwarded-For, the client is the entry that many places from
# the right (0: the socket's peer, REMOTE_ADDR; X-Forwarded-For is then ignored).
# The client address is what rate limits, login throttling and the lookup log count (peikao.core.http.client_address);
# never the leftmost entry, which the client writes itself. The old PEIKAO_TRUST_X_FORWARDED_FOR=true (which took the
# leftmost entry) now means one proxy.
PEIKAO["TRUSTED_PROXY_COUNT"] = int(
    os.environ.get("PEIKAO_TRUSTED_PROXY_COUNT", "1" if env_bool("PEIKAO_TRUST_X_FORWARDED_FOR", False) else "0")
)
# Failed logins from one address (for any accounts) before it is locked out; the per-account limit is
# PEIKAO_LOGIN_FAILURE_LIMIT (AXES_FAILURE_LIMIT above).
PEIKAO["LOGIN_ADDRESS_FAILURE_LIMIT"] = int(os.environ.get("PEIKAO_LOGIN_ADDRESS_FAILURE_LIMIT", "50"))
