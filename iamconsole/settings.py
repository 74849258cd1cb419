"""Django settings for iamconsole. Everything configurable comes from the environment.

`IAMCONSOLE_ENV=production` turns on the production posture (secure cookies, HSTS, SSL redirect)
and requires `SECRET_KEY`. Without it the safe defaults are for `make run` and the test suite only.
"""

import ipaddress
import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    """Read a setting; `NAME_FILE` (a path holding the value) wins, for Docker secrets."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


def envbool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = env(name)
    return default if value in (None, "") else int(value)


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


PRODUCTION = env("IAMCONSOLE_ENV", "development") == "production"
DEBUG = envbool("IAMCONSOLE_DEBUG", False) and not PRODUCTION

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when IAMCONSOLE_ENV=production")
    SECRET_KEY = "insecure-development-key-only-for-make-run-and-tests-0123456789abcdef"

# Key material for secrets encrypted at rest (TOTP seeds, access-key secrets). Comma-separated
# list, newest first, for rotation. Defaults to a key derived from SECRET_KEY.
IAMCONSOLE_ENCRYPTION_KEYS = envlist("IAMCONSOLE_ENCRYPTION_KEYS")
# The public base URL of this deployment: the issuer of outbound web identity tokens is
# <IAMCONSOLE_PUBLIC_URL>/oidc/<account-id> (iam/outbound_federation.py).
IAMCONSOLE_PUBLIC_URL = env("IAMCONSOLE_PUBLIC_URL", "http://localhost:8000")

# Inbound OIDC federation (AssumeRoleWithWebIdentity): extra CA certificates (a PEM file)
# trusted besides the system's when fetching an identity provider's discovery document and
# keys (a private IdP), how long fetched keys are kept, and the least time between two fetches
# for a token naming a key id not in them.
IAMCONSOLE_OIDC_CA_BUNDLE = env("IAMCONSOLE_OIDC_CA_BUNDLE", "")
IAMCONSOLE_OIDC_JWKS_TTL = envint("IAMCONSOLE_OIDC_JWKS_TTL", 300)
IAMCONSOLE_OIDC_JWKS_REFRESH_COOLDOWN = envint("IAMCONSOLE_OIDC_JWKS_REFRESH_COOLDOWN", 10)

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

# The AWS account this installation plays.
IAM_ACCOUNT_ID = env("IAM_ACCOUNT_ID", "123456789012")
if not (len(IAM_ACCOUNT_ID) == 12 and IAM_ACCOUNT_ID.isdigit()):
    raise ImproperlyConfigured("IAM_ACCOUNT_ID must be 12 digits")
# The AWS managed policy dataset read by `manage.py sync_aws_managed_policies` (aws_catalog.py)
AWS_MANAGED_POLICIES_FILE = env("AWS_MANAGED_POLICIES_FILE", "")
# `migrate` loads the catalog when the database has none (iam/apps.py)
AWS_MANAGED_POLICIES_AUTOLOAD = env("AWS_MANAGED_POLICIES_AUTOLOAD", "1") != "0"
# Every account gets the customer managed policy IAMConsoleManageOwnCredentials (AWS's
# self-service example; iam/services/self_service.py): new accounts when created, existing ones
# from migration 0017. The test suite turns it off (tests that need it create it).
SELF_SERVICE_POLICY_AUTOCREATE = env("SELF_SERVICE_POLICY_AUTOCREATE", "1") != "0"

INSTALLED_APPS = [
    # Before django.contrib.auth: its `changepassword` command (which records the password
    # history) overrides Django's.
    "iamconsole.accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files served from here: the CSP allows only 'self'
    "iamconsole.iam",
    "iamconsole.console",
    "iamconsole.api",
    "iamconsole.awsapi",
    "iamconsole.simulator",
    "iamconsole.orgs",
]

MIDDLEWARE = [
    "iamconsole.proxies.ClientAddressMiddleware",  # first: everything after reads REMOTE_ADDR
    # NUL characters → 400; a view's client error → 400, unreachable database or cache → 503
    "iamconsole.failures.FailuresMiddleware",
    # Access Advisor: the request's allowed actions, written once its response is ready.
    "iamconsole.iam.last_accessed.LastAccessedMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Early: a sign-in attempt over the per-address limit costs a counter and a ready page.
    "iamconsole.accounts.middleware.SignInThrottleMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The account a console session acts in (signed API requests choose theirs in iam.authn).
    "iamconsole.accounts.middleware.TenancyMiddleware",
    # A signed-in user's console session, tracked for listing and revocation (at most one
    # write a minute).
    "iamconsole.accounts.console_sessions.ConsoleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "iamconsole.accounts.middleware.SignInStepMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# Proxies (addresses or networks) whose X-Forwarded-For is believed: the client's address is then
# the right-most entry that is not one of them (iamconsole/proxies.py). Empty: REMOTE_ADDR as is.
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address or network") \
            from None

ROOT_URLCONF = "iamconsole.urls"
WSGI_APPLICATION = "iamconsole.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database must fail fast (health checks, requests), not hang for minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", envint("DATABASE_CONNECT_TIMEOUT", 5)
    )
    # No JIT compilation: it pays off for long analytical queries, not for a web app's short
    # ones, where compiling costs more than running (45 ms of a 76 ms list page, measured with
    # benchmarks/pages.py). A DATABASE_URL ?options=… takes precedence.
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite (`make run`'s database) has one write lock per file. Concurrent writers wait for
    # it (busy timeout, seconds) instead of failing "database is locked", and a transaction
    # takes it when it begins (IMMEDIATE): a deferred one that read first cannot upgrade while
    # another writer holds the lock, and SQLite refuses that at once, without waiting. WAL lets
    # readers go on while one writes. A DATABASE_URL's own options take precedence.
    _sqlite = DATABASES["default"].setdefault("OPTIONS", {})
    _sqlite.setdefault("timeout", envint("DATABASE_SQLITE_TIMEOUT", 20))
    _sqlite.setdefault("transaction_mode", "IMMEDIATE")
    _sqlite.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
# The authorizer's policy query runs as a prepared statement on PostgreSQL (iamconsole/iam/
# authz.py); set false behind a connection pooler in transaction mode (PgBouncer).
DATABASE_PREPARED_STATEMENTS = envbool("DATABASE_PREPARED_STATEMENTS", True)
if env("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "iam.User"
# User names are unique per account, and sign-in names the account (account id or alias).
AUTHENTICATION_BACKENDS = ["iamconsole.iam.backends.AccountUserBackend"]
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

# Caches hold lockout counters and rate limits: shared between instances (Redis via CACHE_URL,
# else the database table created by the iam migrations).
CACHE_URL = env("CACHE_URL")
if CACHE_URL:
    # An unreachable Redis must fail fast (503, iamconsole/failures.py), not hang a worker.
    _cache_timeout = envint("CACHE_TIMEOUT", 2)
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": CACHE_URL,
                          "OPTIONS": {"socket_connect_timeout": _cache_timeout,
                                      "socket_timeout": _cache_timeout}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                          "LOCATION": "iamconsole_cache"}}

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 12 * 3600)

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "iamconsole.accounts.validators.AccountPasswordPolicyValidator"},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "console:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Requests per access key (or console user, else client address) on the REST API and the AWS
# Query API together: "N/second|minute|hour|day", or "off". Counted in the shared cache.
API_RATE_LIMIT = env("API_RATE_LIMIT", "50/second")
if not re.fullmatch(r"(?i)\s*(off|none|\d+\s*/\s*[smhd]\w*)\s*", API_RATE_LIMIT or "off"):
    raise ImproperlyConfigured("API_RATE_LIMIT must look like 50/second, 3000/minute or off")

# Access Advisor's last accessed information (iam.last_accessed): off only to measure its cost.
IAM_LAST_ACCESSED = envbool("IAM_LAST_ACCESSED", True)

# Console sign-in attempts per client address, counted before any password is hashed (429 with
# Retry-After beyond it); the lockout (iamconsole/iam/lockout.py) comes on top.
SIGNIN_RATE_LIMIT = env("SIGNIN_RATE_LIMIT", "10/minute")
if not re.fullmatch(r"(?i)\s*(off|none|\d+\s*/\s*[smhd]\w*)\s*", SIGNIN_RATE_LIMIT or "off"):
    raise ImproperlyConfigured("SIGNIN_RATE_LIMIT must look like 10/minute or off")

# The REST API (/api/v1/): JSON only; SigV4 access keys or the console session (CSRF enforced);
# every operation authorized by the policy engine in the domain layer; rate limited per caller.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "iamconsole.api.schema.IAMAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "iamconsole.api.authentication.SigV4Authentication",
        "iamconsole.api.authentication.ConsoleSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["iamconsole.api.permissions.HasCaller"],
    # The client's address is REMOTE_ADDR, already resolved from trusted proxies: DRF must not
    # read X-Forwarded-For itself (by default it believes any client's header).
    "NUM_PROXIES": 0,
    "DEFAULT_THROTTLE_CLASSES": ["iamconsole.api.throttling.CallerRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "iamconsole.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "TITLE": "iamconsole API",
    "DESCRIPTION": (
        "Identity and access management: users, groups, roles, managed and inline policies, "
        "access keys, MFA devices, the account password policy, the audit log and the policy "
        "simulator. Every operation calls the same domain layer as the console and is "
        "authorized by the policy engine with the caller's IAM policies: each operation names "
        "its IAM action (`x-iam-action`); a denial is 403 "
        '`{"code": "AccessDenied", "message", "action", "resource"}`.\n\n'
        "**Authentication**: sign requests with AWS Signature Version 4 using an access key "
        "(botocore's SigV4Auth, requests-aws4auth, curl --aws-sigv4): service name `iam` "
        "(`execute-api` is accepted too), any region, clock within 15 minutes; or use the "
        "console session cookie with the X-CSRFToken header.\n\n"
        "**Conventions**: JSON in and out; lists paginated with `limit`/`offset`; errors are "
        '`{"code": <AWS error code>, "message": …}` with status 400/403/404/409/412/429; '
        "`ETag` + `If-Match` give optimistic concurrency on policy documents and entities "
        "(a stale If-Match answers 412 PreconditionFailed)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is an operator's decision (it needs a submission to hstspreload.org and is
        # hard to undo), so it is opt-in; without it `check --deploy` would warn (W021).
        SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]

# Content Security Policy (django-csp 4): same-origin only, no inline script, no eval. htmx is
# served from our static files; the one inline <style> htmx 2 injects for .htmx-indicator is
# allowed by its hash. QR codes are data: URIs. A view that needs more (e.g. Swagger UI from a
# CDN) widens the policy for itself with csp.decorators.csp_update.
HTMX_INDICATOR_STYLE_HASH = "'sha256-faU7yAF8NxuMTNEwVmBz+VcYeIoBQ2EMHW3WaVxCvnk='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", HTMX_INDICATOR_STYLE_HASH],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}
