"""Attest settings: every knob is an environment variable; defaults run a fresh checkout."""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: use true or false")


def env_list(name: str, *, default: list[str]) -> list[str]:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, *, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r}: use a whole number") from exc


PRODUCTION = env_bool("ATTEST_PRODUCTION", default=False)
DEBUG = env_bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when ATTEST_PRODUCTION=true")
    SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - never used with ATTEST_PRODUCTION=true
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when ATTEST_PRODUCTION=true")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # First, so that its createsuperuser and changepassword (audited) stand in for Django's.
    "governance",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "registry",
    "monitoring",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "governance.middleware.RequestIdMiddleware",
    # Before anything reads a path parameter or filter: NUL there is a 400, not a 500.
    "governance.middleware.HostileUrlMiddleware",
    "monitoring.api.idempotency.IdempotencyMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Throttle counts and the like: shared by every process through Redis when CACHE_URL is set
# (several gunicorn workers), otherwise kept per process.
if os.environ.get("CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
        }
    }

# Content-Security-Policy: scripts only from this server, never inline (no inline handlers
# either: static/js/attest.js wires confirmations); no frames, no outside fonts or images.
# Styles allow inline attributes: htmx and a few templates set element styles; a style cannot
# run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF, "data:"],
        "connect-src": [csp.SELF],
        "worker-src": [csp.SELF, "blob:"],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}

ROOT_URLCONF = "governance.urls"
WSGI_APPLICATION = "governance.wsgi.application"

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
                "governance.navigation.navigation",
                "governance.notices.views.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'attest.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", default=60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue instead of failing with "database is locked", and each writer takes the
    # lock when its transaction begins, which serialises audit-chain appends on SQLite.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA busy_timeout=5000; PRAGMA journal_mode=WAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Refuses a sign-in (page or token exchange) while its account or address is locked out.
    "axes.backends.AxesStandaloneBackend",
    # Refuses a password when ATTEST_LOCAL_LOGIN=off, but from a break-glass account.
    "governance.access.signin.LocalPasswordGate",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous sees nothing
GUARDIAN_RAISE_403 = False

# Brute force: after SIGNIN_FAILURE_LIMIT failed sign-ins an account, and separately an address,
# is locked out for SIGNIN_LOCKOUT_MINUTES (429 with Retry-After; audited as signin.locked_out).
AXES_ENABLED = env_bool("SIGNIN_LOCKOUT", default=True)
AXES_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGNIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "governance.access.signin.locked_out"
AXES_VERBOSE = False


def env_pairs(name: str) -> list[tuple[str, str]]:
    """`a:b;c:d` as pairs, split on each item's last colon (directory group names hold `=`, `,`)."""
    pairs = []
    for item in filter(None, (i.strip() for i in os.environ.get(name, "").split(";"))):
        left, colon, right = item.rpartition(":")
        if not (colon and left.strip() and right.strip()):
            raise ImproperlyConfigured(f"{name}: {item!r} is not group:role")
        pairs.append((left.strip(), right.strip()))
    return pairs


# Single sign-on (OpenID Connect, docs/security.md): off unless a client id is set. Endpoints are
# read from the issuer's /.well-known/openid-configuration unless given one by one.
OIDC_RP_CLIENT_ID = os.environ.get("ATTEST_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("ATTEST_OIDC_CLIENT_SECRET", "")
ATTEST_OIDC_ISSUER = os.environ.get("ATTEST_OIDC_ISSUER", "").rstrip("/")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("ATTEST_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("ATTEST_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("ATTEST_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("ATTEST_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("ATTEST_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("ATTEST_OIDC_SCOPES", "openid email profile")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env_int("ATTEST_OIDC_TIMEOUT_SECONDS", default=10)
LOGIN_REDIRECT_URL_FAILURE = "login"
ATTEST_OIDC_NAME = os.environ.get("ATTEST_OIDC_NAME", "single sign-on")
ATTEST_OIDC_USERNAME_CLAIM = os.environ.get("ATTEST_OIDC_USERNAME_CLAIM", "preferred_username")
ATTEST_OIDC_GROUPS_CLAIM = os.environ.get("ATTEST_OIDC_GROUPS_CLAIM", "groups")
# Directory group -> Attest role, e.g. "cn=mrm-validators,ou=groups:Validators;cn=mrm-mrc:Committee
# members". Roles named here are the directory's to give and take away at each sign-in.
ATTEST_OIDC_GROUP_ROLES = env_pairs("ATTEST_OIDC_GROUP_ROLES")
if OIDC_RP_CLIENT_ID:
    if not (ATTEST_OIDC_ISSUER or OIDC_OP_AUTHORIZATION_ENDPOINT):
        raise ImproperlyConfigured("ATTEST_OIDC_CLIENT_ID needs ATTEST_OIDC_ISSUER (or endpoints)")
    AUTHENTICATION_BACKENDS.append("governance.access.sso.DirectoryBackend")
# Passwords off for everyone but the break-glass accounts named (they sign in locally only).
ATTEST_LOCAL_LOGIN = env_bool("ATTEST_LOCAL_LOGIN", default=True)
ATTEST_BREAK_GLASS_USERS = env_list("ATTEST_BREAK_GLASS_USERS", default=[])
if not (ATTEST_LOCAL_LOGIN or OIDC_RP_CLIENT_ID):
    raise ImproperlyConfigured("ATTEST_LOCAL_LOGIN=off needs single sign-on: set ATTEST_OIDC_*")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"  # each role lands on its own start page (governance.navigation)
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"
# Risk: evidence uploads are capped; voluntary frameworks (NIST AI RMF, ISO/IEC 42001) are
# switched on per organisation, e.g. ATTEST_VOLUNTARY_FRAMEWORKS=nist_ai_rmf,iso_42001.
ATTEST_EVIDENCE_MAX_BYTES = env_int("ATTEST_EVIDENCE_MAX_BYTES", default=25 * 2**20)
# The largest API request body (a bulk metric push); the CLI sends bigger files in chunks.
ATTEST_MAX_UPLOAD_BYTES = env_int("ATTEST_MAX_UPLOAD_BYTES", default=256 * 2**20)
DATA_UPLOAD_MAX_MEMORY_SIZE = ATTEST_MAX_UPLOAD_BYTES
# How far in the future a pushed timestamp may lie (clock skew between pipeline and server).
ATTEST_FUTURE_TOLERANCE_SECONDS = env_int("ATTEST_FUTURE_TOLERANCE_SECONDS", default=300)
# Fairness results pushed without a verdict are judged against these (the four-fifths rule and
# the usual 0.1 disparity limit); per-model monitoring policies refine them.
ATTEST_FAIRNESS_LIMITS = {
    "demographic_parity_difference": 0.1,
    "equalized_odds_difference": 0.1,
    "four_fifths_ratio": 0.8,
}
# Alerts are POSTed (Slack-compatible JSON) to each of these URLs; e-mail goes to the owner.
ATTEST_ALERT_WEBHOOKS = env_list("ATTEST_ALERT_WEBHOOKS", default=[])
ATTEST_VOLUNTARY_FRAMEWORKS = env_list("ATTEST_VOLUNTARY_FRAMEWORKS", default=[])


def env_discoveries(name: str) -> list[dict[str, object]]:
    """A JSON list of objects, each naming its `registry` (docs/operations.md, Discovery)."""
    raw = os.environ.get(name, "").strip()
    try:
        value = json.loads(raw) if raw else []
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(f"{name} is not JSON: {exc}") from exc
    if not isinstance(value, list) or not all(
        isinstance(d, dict) and d.get("registry") for d in value
    ):
        raise ImproperlyConfigured(f'{name}: use a list of {{"registry": ..., ...}} objects')
    return value


# Registries the beat task reads for models serving in production unregistered (shadow models).
ATTEST_DISCOVERY = env_discoveries("ATTEST_DISCOVERY")
# Periodic reviews open this many days before they fall due; emails link back to this address.
ATTEST_REVIEW_LEAD_DAYS = env_int("ATTEST_REVIEW_LEAD_DAYS", default=30)
ATTEST_BASE_URL = os.environ.get("ATTEST_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The monthly executive report is e-mailed to the members of this group.
ATTEST_EXECUTIVE_GROUP = os.environ.get("ATTEST_EXECUTIVE_GROUP", "Executives")
# The organisation an evidence pack's cover names (left off the cover when empty).
ATTEST_ORGANISATION = os.environ.get("ATTEST_ORGANISATION", "")

# The audit trail's keys and signed checkpoints live outside the database (docs/security.md).
# Unset, a fresh checkout creates development keys under var/ (git-ignored); `check --deploy`
# refuses them. ATTEST_AUDIT_KEY takes `id:secret` pairs, comma-separated, the last one current.
ATTEST_VAR_DIR = Path(os.environ.get("ATTEST_VAR_DIR", "") or BASE_DIR / "var")
ATTEST_AUDIT_KEY = os.environ.get("ATTEST_AUDIT_KEY", "")
ATTEST_AUDIT_KEY_FILE = Path(
    os.environ.get("ATTEST_AUDIT_KEY_FILE", "") or ATTEST_VAR_DIR / "keys" / "audit-hmac.keys"
)
ATTEST_CHECKPOINT_DIR = Path(
    os.environ.get("ATTEST_CHECKPOINT_DIR", "") or ATTEST_VAR_DIR / "checkpoints"
)
ATTEST_CHECKPOINT_SIGNING_KEY_FILE = Path(
    os.environ.get("ATTEST_CHECKPOINT_SIGNING_KEY_FILE", "")
    or ATTEST_VAR_DIR / "keys" / "checkpoint-signing.pem"
)
# PEM public keys trusted to have signed checkpoints (empty: the signing key's own).
ATTEST_CHECKPOINT_PUBLIC_KEY_FILE = os.environ.get("ATTEST_CHECKPOINT_PUBLIC_KEY_FILE", "")
ATTEST_CHECKPOINT_MAX_AGE_DAYS = env_int("ATTEST_CHECKPOINT_MAX_AGE_DAYS", default=2)

# Reminders are printed to the console until an SMTP server is configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Attest <attest@localhost>")

REST_FRAMEWORK = {
    # Token first: an unauthenticated pipeline then hears 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "governance.api.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's parsers plus the hostile-input walk: NUL, lone surrogates, 64-bit overflow, NaN and
    # deep nesting are a 400 naming the field (governance.api.hostile).
    "DEFAULT_PARSER_CLASSES": [
        "governance.api.parsers.JSONParser",
        "governance.api.parsers.FormParser",
        "governance.api.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "governance.api.errors.exception_handler",
    # Per token or person, and per address for callers not signed in; the password-for-token
    # exchange has its own, tighter rate. A 429 carries Retry-After (the CLI waits for it).
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("API_RATE_PER_USER", "6000/min"),
        "anon": os.environ.get("API_RATE_ANONYMOUS", "60/min"),
        "token-exchange": os.environ.get("API_RATE_TOKEN_EXCHANGE", "10/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Attest API",
    "DESCRIPTION": "Model inventory, risk governance and monitoring for model risk management.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Versions and runs share the tracker choices: one enum in the schema, not two names.
    "ENUM_NAME_OVERRIDES": {
        "TrackerEnum": "registry.models.ModelVersion.Tracker",
        # Names clients already use, kept stable now that alerts and checks have their own.
        "SeverityEnum": "governance.models.Finding.Severity",
        "StatusEnum": "registry.models.MLModel.Status",
        "AlertSeverityEnum": "monitoring.models.Alert.Severity",
        "HealthStatusEnum": "monitoring.stats.thresholds.Status",
        "DecisionEnum": "governance.approvals.models.SignOff.Decision",
        "RequestStateEnum": "governance.access.models.decisions.RequestState",
        "SecondPersonDecisionEnum": "governance.api.serializers.DECISIONS",
        # Rulebooks' kind and status would collide with evidence kinds and the models' status;
        # evidence keeps the name it had before rulebooks joined the API.
        "KindEnum": "governance.risk.models.Evidence.Kind",
        "RulebookKindEnum": "governance.rulebooks.models.Rulebook.Kind",
        "RulebookStatusEnum": "governance.rulebooks.models.Rulebook.Status",
    },
}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = bool(CELERY_BROKER_URL)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    if env_bool("SECURE_PROXY_SSL", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools narrate every step of a PDF at INFO.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
}

CELERY_BEAT_SCHEDULE = {
    "verify-audit-chain": {
        "task": "governance.auditlog.tasks.record_audit_chain_check",
        "schedule": env_int("AUDIT_CHECK_INTERVAL_SECONDS", default=24 * 3600),
    },
    # The chain's head signed, written outside the database and e-mailed to the auditors.
    "sign-audit-checkpoint": {
        "task": "governance.auditlog.tasks.sign_audit_checkpoint",
        "schedule": crontab(hour=0, minute=15),
    },
    "apply-rulebooks-in-force": {
        "task": "governance.risk.tasks.apply_rulebooks_in_force",
        "schedule": 6 * 3600,
    },
    # Daily, reviews first so that a review opened today gets its first reminder the same day.
    "open-due-reviews": {
        "task": "governance.approvals.tasks.open_due_reviews",
        "schedule": crontab(hour=5, minute=0),
    },
    "send-review-reminders": {
        "task": "governance.approvals.tasks.send_review_reminders",
        "schedule": crontab(hour=5, minute=30),
    },
    # Each person's findings, conditions, expiring waivers and exceptions, and reviews coming due.
    "notify-coming-due": {
        "task": "governance.notices.tasks.notify_coming_due",
        "schedule": crontab(hour=6, minute=0),
    },
    # After the reminders, so that a digest lists the day's.
    "email-notice-digests": {
        "task": "governance.notices.tasks.email_digests",
        "schedule": crontab(hour=6, minute=30),
    },
    # Staleness and every threshold of every production model, besides the check on ingestion.
    "sweep-production-models": {
        "task": "monitoring.tasks.sweep_production_models",
        "schedule": env_int("MONITORING_SWEEP_INTERVAL_SECONDS", default=3600),
    },
    # Registries in ATTEST_DISCOVERY: an alert for each model serving there unregistered.
    "discover-shadow-models": {
        "task": "monitoring.tasks.discover_shadow_models",
        "schedule": env_int("DISCOVERY_INTERVAL_SECONDS", default=6 * 3600),
    },
    # Last month's executive report, generated and e-mailed on the 1st.
    "monthly-executive-report": {
        "task": "reports.executive.tasks.monthly_executive_report",
        "schedule": crontab(day_of_month=1, hour=6, minute=0),
    },
}
