"""Settings shared by every environment. Values that differ come from the environment (config.env)."""

import importlib

from config.env import BASE_DIR, env

SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "auditlog",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc as static files (no CDN)
    # Our apps: crm is the ground floor and imports none of the others.
    "crm",
    "surveys",
    "callbacks",
    "complaints",
    "reports",
    "retention",
    "winback",
    "improvement",
    "club",
    "surveylink",
    "voc",
    "appointments",
    # Telephone system (CTI) and call recordings: reads callbacks, retention and complaints.
    "telephony",
    # The REST API (issue 16): reads every app, read by none.
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # axes must be last: it inspects the response of a failed login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "crm.context_processors.navigation",
                "complaints.context_processors.notification_bell",
            ],
        },
    },
]

# With no DATABASE_URL the demo runs on a local SQLite file; production and tests use PostgreSQL.
VAR_DIR = BASE_DIR / "var"
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A kept connection is checked before a request reuses it, so after a PostgreSQL restart the next
# request reconnects instead of failing on the dead socket (tests/test_server_errors.py).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` starts web, worker and beat on this one file. SQLite's default rollback journal
    # lets one writer lock out every reader, and a deferred transaction that reads and then writes
    # fails at once with "database is locked" instead of waiting — beat lost that race at startup
    # and silently dropped a schedule entry. WAL lets readers run beside the writer, IMMEDIATE takes
    # the write lock when the transaction begins (so the busy timeout applies), and the timeout
    # waits for the lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # The covering indexes' INCLUDE columns are a PostgreSQL speed-up; SQLite ignores them, as it may.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "crm.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "crm.authentication.ModelBackendOneQuery",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "crm:home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (README "Login throttling"): 5 failures of one username from one IP lock that
# pair out, and 20 failures from one IP across any usernames lock that IP out (password spraying);
# either lock lasts 15 minutes from the last failure. Axes applies one limit to every lockout
# parameter set, so the per-IP limit is crm.throttling.AxesHandler's.
AXES_HANDLER = "crm.throttling.AxesHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# UI strings are written in Simplified Chinese (the users' own words, see README) and wrapped in
# gettext; English comes from locale/en.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
# Complaint attachments (photos, letters, recordings): the largest file accepted, in MB. Kept under
# MEDIA_ROOT/private, which no URL serves; complaints:attachment_download checks the case's scope.
COMPLAINT_ATTACHMENT_MAX_MB = env.int("COMPLAINT_ATTACHMENT_MAX_MB", default=20)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: Redis when REDIS_URL is set; otherwise kombu's filesystem transport, which needs no
# server, so `make run` works on a bare machine.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A publish from a request gives up quickly when Redis is unreachable (crm.tasking): the work
    # is in the database and a beat sweep queues it later.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    _broker_dir = VAR_DIR / "celery-broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        # kombu keeps its fanout exchange table in "./control" unless told otherwise.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    # The folders are the broker: a command run outside `make run` (seed_demo, import_dms) publishes
    # into them too, so they exist whenever this broker is configured.
    for _folder in ("out", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# The beat schedule is one dict in settings, composed from each app's `schedule.py` (plain data,
# no Django imports) so that every app owns its entries; each entry carries `expires`.
CELERY_BEAT_SCHEDULE: dict = {}
for _app in (
    "crm",
    "callbacks",
    "complaints",
    "surveys",
    "reports",
    "retention",
    "winback",
    "improvement",
    "club",
    "voc",
    "surveylink",
    "appointments",
    "telephony",
):
    CELERY_BEAT_SCHEDULE.update(importlib.import_module(f"{_app}.schedule").BEAT_SCHEDULE)
# django-celery-beat stores an entry's expiry as `expire_seconds` and drops `expires` when it
# writes the entry to its table, so each entry says it both ways (crm.beat checks the rows).
for _entry in CELERY_BEAT_SCHEDULE.values():
    _options = _entry.setdefault("options", {})
    if isinstance(_options.get("expires"), int | float):
        _options.setdefault("expire_seconds", int(_options["expires"]))

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="dealer-cr@localhost")
# The address users open the app at (e.g. https://cr.example.com): notification e-mails link to it.
# Empty: the e-mails carry the page's path only.
SITE_URL = env.str("SITE_URL", default="")

# SMS gateway (SPEC §10), chosen like Django's e-mail backends: the dev backend only logs (every
# message is in the database and on the outbox page); crm.sms.backends.http.HttpBackend posts JSON to
# SMS_HTTP_URL with SMS_HTTP_TOKEN. Replies are POSTed to /sms/inbound/ with the header
# X-SMS-Secret: SMS_INBOUND_SECRET; with no secret set the endpoint accepts nothing.
SMS_BACKEND = env.str("SMS_BACKEND", default="crm.sms.backends.dev.DevBackend")
SMS_HTTP_URL = env.str("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = env.str("SMS_HTTP_TOKEN", default="")
SMS_INBOUND_SECRET = env.str("SMS_INBOUND_SECRET", default="")

# Telephone system (CTI), chosen like the SMS gateway: the dev backend only logs click-to-call (every
# request is in telephony_dialrequest); telephony.backends.http.HttpBackend posts JSON to CTI_HTTP_URL
# with CTI_HTTP_TOKEN. The CTI posts call events to /api/v1/telephony/events/ as an API client with
# the scope cti:events (api.views.telephony): created, scoped to stores and revoked like any integration.
CTI_BACKEND = env.str("CTI_BACKEND", default="telephony.backends.dev.DevBackend")
CTI_HTTP_URL = env.str("CTI_HTTP_URL", default="")
CTI_HTTP_TOKEN = env.str("CTI_HTTP_TOKEN", default="")
# Call recordings: the largest file taken (upload or download) and the download's timeout.
RECORDING_MAX_BYTES = env.int("RECORDING_MAX_BYTES", default=50 * 1024 * 1024)
RECORDING_FETCH_TIMEOUT = env.int("RECORDING_FETCH_TIMEOUT", default=30)

# DMS import limits (SPEC §5): an upload is untrusted, so a workbook is measured before it is parsed.
# Every member of an .xlsx/.ods zip is checked against its declared size (zipfile never inflates a
# member past it) and its compression ratio; a streamed sheet may be large (the 100,000-row bench
# sheet is 91 MB, ratio 9), a part read whole (shared strings, styles, an .ods content.xml) less so.
DMS_IMPORT_MAX_SHEET_BYTES = env.int("DMS_IMPORT_MAX_SHEET_BYTES", default=1024 * 1024 * 1024)
DMS_IMPORT_MAX_PART_BYTES = env.int("DMS_IMPORT_MAX_PART_BYTES", default=128 * 1024 * 1024)
DMS_IMPORT_MAX_RATIO = env.int("DMS_IMPORT_MAX_RATIO", default=100)
# A cell longer than Excel's own limit is a bad value, whatever its column.
DMS_IMPORT_MAX_CELL_CHARS = env.int("DMS_IMPORT_MAX_CELL_CHARS", default=32767)
# .xls and .ods are read whole by python-calamine in a child process with this address-space cap.
DMS_IMPORT_READER_MEMORY_BYTES = env.int("DMS_IMPORT_READER_MEMORY_BYTES", default=2 * 1024 * 1024 * 1024)

AUDITLOG_INCLUDE_ALL_MODELS = False

# The REST API (api app, README "REST API"): integrations authenticate with a bearer token of an
# api.ApiClient; a view refuses unless it names a scope the client holds. JSON only (the browsable
# documentation is Swagger UI at /api/v1/docs/, served from drf-spectacular-sidecar's files).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasRequiredScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiClientRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    # The client address of the failed-authentication throttle: 0 reads REMOTE_ADDR and never the
    # X-Forwarded-For a caller may write; behind a reverse proxy, the number of proxies.
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
}
# Calls per client (DRF's rate syntax, e.g. 1200/min).
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="1200/min")
# Failed authentications per client address before its calls are refused (api.throttling).
API_AUTH_FAILURE_RATE = env.str("API_AUTH_FAILURE_RATE", default="30/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "Dealer CR API",
    "DESCRIPTION": "DMS push, CTI lookup and reads for reporting tools. Send `Authorization: Bearer <token>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Swagger UI would otherwise draw a badge from validator.swagger.io (no CDN, issue 16).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Celery's per-task lines ("Task … received", "Task … succeeded in 0.01s: False") are one per
    # message or sweep — a line a second in `make run` at night — and say nothing a person acts on;
    # failures still log as errors, and the tasks log their own summaries.
    "loggers": {
        "axes": {"level": "WARNING"},
        "celery.app.trace": {"level": env.str("CELERY_TASK_LOG_LEVEL", default="WARNING")},
        "celery.worker.strategy": {"level": env.str("CELERY_TASK_LOG_LEVEL", default="WARNING")},
    },
}

# WhiteNoise serves from the finders in development and tests (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
