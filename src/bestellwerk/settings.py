"""Settings come from the environment; `make run` needs none of them."""

import os
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("BESTELLWERK_HOME", Path.cwd()))
VAR_DIR = PROJECT_DIR / "var"


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
# Good enough on a developer's machine only: with DEBUG off the WSGI application (gunicorn)
# refuses to start with it, and `check --deploy` fails (bestellwerk.core.checks).
DEVELOPMENT_SECRET_KEY = "dev-insecure-bestellwerk-secret-change-me"
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "axes",
    "bestellwerk.core",
    "bestellwerk.accounts",
    "bestellwerk.customers",
    "bestellwerk.catalog",
    "bestellwerk.promotions",
    "bestellwerk.shipping",
    "bestellwerk.orders",
    "bestellwerk.payments",
    "bestellwerk.notifications",
    "bestellwerk.automations",
    "bestellwerk.jobs",
    "bestellwerk.transfer",
    "bestellwerk.api",
    "bestellwerk.staff",
    "bestellwerk.demo",
]

MIDDLEWARE = [
    "bestellwerk.api.middleware.ApiErrorsAsJsonMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (CSS, JS) with DEBUG off too; what it serves skips the middleware below.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "bestellwerk.core.middleware.PrivatePagesMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "bestellwerk.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it answers a locked-out login with our lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bestellwerk.urls"
WSGI_APPLICATION = "bestellwerk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'bestellwerk.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
IS_SQLITE = DATABASES["default"]["ENGINE"].endswith("sqlite3")
if IS_SQLITE:
    # The web server and the task worker share one file: WAL lets readers run beside the
    # writer, IMMEDIATE takes the write lock at BEGIN so two writers queue instead of failing.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME", "")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Logins lock after repeated failures, per user name and per address (either locks), for
# a cool-off; an admin unlocks early under Axes → access attempts (delete the rows) or with
# `bestellwerk axes_reset_username NAME`.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "10"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "staff/locked_out.html"
# API tokens: this many wrong tokens from one address within the window → 429.
API_TOKEN_FAILURE_LIMIT = int(os.environ.get("API_TOKEN_FAILURE_LIMIT", "20"))
API_TOKEN_FAILURE_WINDOW = 300
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# Uploaded and produced files (import sources, exports, PDFs of jobs): never served as they
# are, only through views that check permissions.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or VAR_DIR / "media")

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Without `collectstatic`, WhiteNoise serves straight from the apps' static folders (and
# would warn on every start that STATIC_ROOT is not there yet).
WHITENOISE_USE_FINDERS = True
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")

# One switch for a deployment behind HTTPS (a TLS-terminating proxy sets X-Forwarded-Proto):
# Secure cookies, HSTS for a year, redirects to https.
HTTPS_ONLY = env_bool("HTTPS_ONLY", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_SSL_REDIRECT = HTTPS_ONLY
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
# Preloading is the domain owner's own, irreversible decision; the switch does not make it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS_ONLY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy of every answer (django-csp): scripts, styles, frames, fetches and
# form posts only from our own origin, and nothing inline, so markup that slips into a page
# can neither run script (no inline <script>, no on*= handlers, no eval) nor restyle it.
# Templates keep to it (tests/ui/test_template_policy.py); htmx runs without eval and without
# its inline indicator styles (staff/base.html); the API docs (ninja's Swagger page) and the
# admin need nothing more. Exceptions, each on its views: the payment page's form may lead to
# Stripe's checkout (payments/views/customer.py), the admin's e-mail previews show the
# e-mail's inline styles (notifications/admin.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap draws its icons (close buttons, select arrows) as data: SVGs.
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Features the back office never uses, switched off for every page (and what it embeds).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Every input has bounds: a JSON body over 1 MiB is refused before it is parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

REDIS_URL = os.environ.get("REDIS_URL", "")
# Counters shared by every web process (API token failures): Redis when there is one.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if not REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "bestellwerk",
    }
}
if REDIS_URL:
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 300}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# With no mail server configured (EMAIL_HOST unset, as in `make run`), mail goes to the
# local outbox in the database, readable in the admin under E-mails → Local outbox.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "bestellwerk.notifications.backends.LocalOutboxBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 15
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "shop@bestellwerk.localhost")
# A failed send is retried after 1, 2, 4 … minutes, at most EMAIL_MAX_ATTEMPTS times.
EMAIL_MAX_ATTEMPTS = int(os.environ.get("EMAIL_MAX_ATTEMPTS", "8"))
EMAIL_RETRY_BASE_SECONDS = int(os.environ.get("EMAIL_RETRY_BASE_SECONDS", "60"))

STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
# Without Stripe keys the `card` method uses a labelled demo checkout (no real money);
# on by default only where DEBUG is, so a live shop without keys never takes fake payments.
PAYMENTS_DEMO_CHECKOUT = env_bool("PAYMENTS_DEMO_CHECKOUT", DEBUG)
# Customer-facing links (payment pages in e-mails) start with this address.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
PAYMENT_LINK_VALID_DAYS = int(os.environ.get("PAYMENT_LINK_VALID_DAYS", "14"))
# Bank details shown on the payment page of prepayment and invoice orders.
BANK_ACCOUNT_HOLDER = os.environ.get("BANK_ACCOUNT_HOLDER", "")
BANK_IBAN = os.environ.get("BANK_IBAN", "")
BANK_BIC = os.environ.get("BANK_BIC", "")

# Seconds between two sweeps of the event outbox for events whose dispatch never ran.
OUTBOX_SWEEP_INTERVAL = int(os.environ.get("OUTBOX_SWEEP_INTERVAL", "30"))
# An event younger than this is left to its on-commit dispatch task.
OUTBOX_SWEEP_GRACE_SECONDS = int(os.environ.get("OUTBOX_SWEEP_GRACE_SECONDS", "60"))
# Run by `bestellwerk worker` every OUTBOX_SWEEP_INTERVAL seconds: dispatch order events whose
# dispatch never ran, then re-enqueue e-mails, webhook deliveries and automation steps whose
# task was lost or whose worker died (their lease ran out).
WORKER_SWEEPS = [
    "bestellwerk.orders.outbox.sweep_outbox",
    "bestellwerk.notifications.services.sweep_emails",
    "bestellwerk.automations.services.webhooks.sweep_webhooks",
    "bestellwerk.automations.services.runs.sweep_automations",
    "bestellwerk.payments.services.refunds.retry_pending_refunds",
]
# Outgoing webhooks: seconds to wait for an answer; failures retry after 30 s, 1 min, 2 min …
WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "10"))
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "8"))
WEBHOOK_RETRY_BASE_SECONDS = float(os.environ.get("WEBHOOK_RETRY_BASE_SECONDS", "30"))
# A worker holds an automation step this long; if it dies, the sweep hands the step on after.
AUTOMATION_STEP_LEASE_SECONDS = int(os.environ.get("AUTOMATION_STEP_LEASE_SECONDS", "300"))
AUTOMATION_STEP_MAX_ATTEMPTS = int(os.environ.get("AUTOMATION_STEP_MAX_ATTEMPTS", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
