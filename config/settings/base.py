"""Settings shared by every environment. Values that differ per installation come from the
environment, so the same code runs on a laptop, in CI and in a clinic's server room."""

import datetime
import os
from email.utils import parseaddr
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from exercises.fallbacks import ClinicFirstFallbacks

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Before the admin, which it patches to show each language's fields.
    "modeltranslation",
    "clinics.admin_config.RehabitAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    "django_rq",
    "crontask",
    "rest_framework",
    "drf_spectacular",
    "outbox",
    "push",
    "clinics",
    "webhooks",
    "exercises",
    "prescriptions",
    "patients",
    "outcomes",
    "messaging",
    "monitoring",
    "insights",
    "notifications",
    "console",
    "api",
    "devdata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Above WhiteNoise, so static files get these headers too.
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "lib.middleware.CrossOriginResourcePolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # No response to a signed-in person is cached (Cache-Control: no-store, private).
    "lib.middleware.PrivateResponsesMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Lets the audit trail know who is asking and from where, however deep the code that writes.
    "clinics.audit.AuditOriginMiddleware",
    # An htmx request sent to sign in (session ended) reloads the whole page to the sign-in form.
    "lib.middleware.HtmxSignInRedirectMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "clinics.middleware.SessionLimitsMiddleware",
    "clinics.middleware.TwoFactorSetupMiddleware",
    "clinics.languages.PersonLanguageMiddleware",
    # Exercise text missing in the reader's language shows their clinic's default language first.
    "exercises.fallbacks.ClinicContentLanguageMiddleware",
    "clinics.middleware.ClinicTimeZoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A change that needs the task queue while it does not answer: a clear page, nothing saved.
    "outbox.middleware.QueueUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "clinics.context_processors.navigation",
                "messaging.context_processors.unread_messages",
                "patients.context_processors.patient_app",
            ],
        },
    },
]

# With no DATABASE_URL the app keeps its data in a SQLite file beside the code, so one command
# runs it anywhere; production and CI point DATABASE_URL at PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_DB_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiler costs the dashboard's many-subquery reads far more (150 ms to
    # over a second) than it could save on them.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "clinics.User"
AUTHENTICATION_BACKENDS = [
    # Refuses a sign-in while its account or address is locked out, before checking it.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Failed sign-ins (wrong passwords and wrong two-step codes) are throttled per account, with a
# ceiling per address and an emailed unlock link for the owner: see clinics/throttling.py.
AXES_HANDLER = "clinics.throttling.SignInThrottle"
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = "clinics.throttling.lockout_parameters"
# A success clears the failures of the lockout parameters above: that account's only.
AXES_RESET_ON_SUCCESS = True
# The per-address ceiling counts these; clinics.throttling keeps only the last hour of them.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "clinics/locked_out.html"
AXES_USERNAME_CALLABLE = "clinics.forms.sign_in_identifier"
# How many reverse proxies (nginx in production) stand in front of the app and add the client's
# address to X-Forwarded-For. With 0 that header is ignored, since anyone can send it; the audit
# trail and sign-in throttling then use the connection's own address.
REHABIT_TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0"))
# Throttling counts failures per client address found the same way as the audit trail's.
AXES_CLIENT_IP_CALLABLE = "clinics.audit.client_address"
# Two-step sign-in: the name authenticator apps show beside the account.
OTP_TOTP_ISSUER = "Rehabit"
LOGIN_URL = "clinics:login"
LOGIN_REDIRECT_URL = "clinics:home"
LOGOUT_REDIRECT_URL = "clinics:login"

# DOMAIN.md security baseline: at least 12 characters, common passwords refused, and no
# composition rules (they push people to predictable patterns).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SESSION_COOKIE_HTTPONLY = True
# The cookie lives at most as long as the longest session (a patient's 14 days); the
# per-role limits are enforced by clinics.middleware.SessionLimitsMiddleware.
SESSION_COOKIE_AGE = 14 * 24 * 60 * 60
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere: everything comes from our own static files. Bootstrap's
# icons are data: URIs in its stylesheet, hence img-src data:.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    # The patient's app: its manifest and its service worker (/sw.js), both our own.
    "manifest-src": [CSP.SELF],
    "worker-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Browser features: none of the ones that reach into a person's device or money; the player
# keeps the screen awake and may go full screen.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
    "fullscreen": ["self"],
    "screen-wake-lock": ["self"],
}

LANGUAGE_CODE = "en"
# Each language is named in itself, so a reader finds theirs whatever language the page is in.
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The languages exercise content is written in (exercises/translation.py, docs/languages.md).
# Text not yet translated in the reader's language is shown in their clinic's default language
# where that is written, else in English (exercises/fallbacks.py).
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "es", "fr")
MODELTRANSLATION_FALLBACK_LANGUAGES = ClinicFirstFallbacks(default=("en",))
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "lib.static_storage.ManifestStaticStorage"},
}

# Background work (emails, reminders, escalations, digests) runs on Django's task framework.
# The embedded default keeps the queue in the database (`manage.py db_worker`); an
# installation on several machines sets REHABIT_TASKS=rq and REDIS_URL to queue on Redis
# (`manage.py rqworker default --job-class django_tasks_rq.Job`). `manage.py crontask` is the
# scheduler of the periodic work either way.
TASK_QUEUE = os.environ.get("REHABIT_TASKS", "database")
# The address staff and patients open Rehabit at, for the links in emails the worker writes
# away from any request (alerts, reminders, digests).
SITE_URL = os.environ.get("REHABIT_SITE_URL", "http://127.0.0.1:8000")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
if TASK_QUEUE == "rq":
    TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
    }
elif TASK_QUEUE == "database":
    TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
    }
else:
    raise ValueError(f"REHABIT_TASKS must be 'database' or 'rq', not {TASK_QUEUE!r}")
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 300}}
CRONTASK = {"REDIS_URL": REDIS_URL} if TASK_QUEUE == "rq" else {}

# Each process keeps the caseload rows it rendered lately (insights/selectors/caseload.py), under
# keys that name everything a row shows, in its own memory: a row is about 2 KB, so at most
# about 10 MB per process. Nothing else is cached.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}

# Milliseconds in one second of the guided exercise timer; browser tests shorten it.
GUIDED_TIMER_SECOND_MS = 1000

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def mailers(backend: str) -> dict:
    """Django's MAILERS setting from the environment; SMTP reads its server from DJANGO_EMAIL_*."""
    options = {}
    if backend == SMTP_BACKEND:
        options = {
            "host": os.environ.get("DJANGO_EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("DJANGO_EMAIL_PORT", "25")),
            "username": os.environ.get("DJANGO_EMAIL_HOST_USER", ""),
            "password": os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", False),
            "use_ssl": env_bool("DJANGO_EMAIL_USE_SSL", False),
            "timeout": 20,
        }
    return {"default": {"BACKEND": backend, "OPTIONS": options}}


MAILERS = mailers(os.environ.get("DJANGO_EMAIL_BACKEND", SMTP_BACKEND))
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Rehabit <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Notifications on people's devices (web push). The VAPID keys sign each notification for the
# push services; `manage.py vapid_keys` makes a pair. Without them push is off and everything
# goes by email. The subject is how a push service can reach whoever runs this server.
REHABIT_VAPID_PUBLIC_KEY = os.environ.get("REHABIT_VAPID_PUBLIC_KEY", "")
REHABIT_VAPID_PRIVATE_KEY = os.environ.get("REHABIT_VAPID_PRIVATE_KEY", "")
REHABIT_VAPID_SUBJECT = os.environ.get("REHABIT_VAPID_SUBJECT") or (
    "mailto:" + (parseaddr(DEFAULT_FROM_EMAIL)[1] or "no-reply@localhost")
)
# The only addresses the worker posts notifications to: the browsers' push services (Chrome,
# Edge's, Firefox's, Safari's). A subscription naming any other address is refused, so nobody
# can make the server send requests into its own network.
REHABIT_PUSH_SERVICES = env_list(
    "REHABIT_PUSH_SERVICES",
    [
        "https://fcm.googleapis.com",
        "https://*.notify.windows.com",
        "https://*.push.services.mozilla.com",
        "https://*.push.apple.com",
    ],
)

# Webhooks go to https:// addresses on the internet only. The test run turns this on so that its
# receivers may listen on http://127.0.0.1 (or localhost); nothing else is let through by it.
REHABIT_WEBHOOK_ALLOW_HTTP = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_secret_paths": {"()": "lib.logs.MaskSecretPaths"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_secret_paths"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # WeasyPrint logs every layout step of a PDF at INFO.
    "loggers": {
        "weasyprint.progress": {"level": "WARNING"},
        # django-axes logs every sign-in at INFO; lockouts still come through as warnings.
        "axes": {"level": "WARNING"},
    },
}

# The API (api/): clinics' API keys, JSON only, cursor pages, RFC 9457 problem details, a
# ceiling of calls per key, and an OpenAPI 3 schema at /api/schema/.
REHABIT_API_RATE = os.environ.get("REHABIT_API_RATE", "600/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.KeyScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.KeyRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.IdCursorPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rehabit API",
    "DESCRIPTION": (
        "Read and write a clinic's patients, plans and their dose, templates, exercises, "
        "session logs, pain reports, outcome scores and alerts, and fetch a patient's program "
        "as a FHIR R4 bundle. Every call needs a clinic's API key: `Authorization: Bearer "
        "rhk_…`. Errors are RFC 9457 problem details."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.problem_responses",
        "api.schema.fhir_operation_paths",
    ],
    "ENUM_NAME_OVERRIDES": {
        "PatientStatusEnum": "patients.models.PatientStatus",
        "PlanStatusEnum": "prescriptions.models.PlanStatus",
        "ExerciseKindEnum": "exercises.models.Kind",
        "AlertKindEnum": "patients.models.AlertKind",
    },
}
