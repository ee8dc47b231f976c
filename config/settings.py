"""Settings read from the environment.

With nothing set the portal runs embedded: SQLite under ./var, Celery tasks executed in-process,
a local-memory cache. DATABASE_URL and REDIS_URL switch to PostgreSQL and a real Redis broker.
Debug is off unless DJANGO_DEBUG=true (`make demo` and the test settings set it): with it off, the
production hardening that `check --deploy` looks for is on and DJANGO_SECRET_KEY is required.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

env = environ.Env()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))
DEBUG = env.bool("DJANGO_DEBUG", default=False)

# The "django-insecure-" prefix makes `check --deploy` flag this key (security.W009) wherever it is used.
_DEV_KEY = "django-insecure-development-key-only-used-when-DEBUG-is-on"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_DEV_KEY if DEBUG else "")
if not DEBUG and SECRET_KEY in ("", _DEV_KEY):
    raise environ.ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set (not the development key) when DJANGO_DEBUG is off; "
        "for a local development run set DJANGO_DEBUG=true (as `make demo` does)"
    )

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

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
    "guardian",
    "django_celery_beat",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    "core",
    "communities",
    "personnel",
    "facilities",
    "funding",
    "standards",
    "assessments",
    "designations",
    "dashboards",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # JSON, never an HTML error or debug page, for an API request whose view fails.
    "core.api.middleware.ApiErrorsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication and messages: logs out a session idle for SESSION_IDLE_MINUTES.
    "core.security.IdleSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Marks the pure reads (the API's lists and details, the figures) a read replica may answer.
    "core.replica.ReplicaReadsMiddleware",
    # Records who made each change; history rows read the user from the request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as axes asks: turns a login refused for lockout into the lockout page.
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.permissions",
                "core.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Concurrent writers (a live-server test and its client) wait instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # A writing transaction takes the lock when it begins, so concurrent writers wait their turn
    # (up to the timeout) instead of failing with "database is locked" when a read turns into a write.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL's JIT fires on the planner's (wildly high) row estimates for JSON array expansions and
    # spends ~0.5 s compiling queries that run in 50 ms: the dashboards' figures. Short web queries
    # never gain from it. Random reads are costed as on SSD storage (PostgreSQL's default 4 assumes
    # spinning disks): the self-checks of a few towns are then read through their index, not by
    # scanning the whole table (the figures of 20 towns counted again: 20 ms → 4 ms for that query).
    random_page_cost = env.float("DB_RANDOM_PAGE_COST", default=1.1)
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", f"-c jit=off -c random_page_cost={random_page_cost}"
    )

# A read replica of `default` (docs/operations.md, "A read replica"): when set, the API's list and
# detail answers and the programme figures are read from it (`core.replica`); writes, and every read
# inside a transaction or about who the caller is, stay on `default`. Unset: one database, no router.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **env.db_url_config(DATABASE_REPLICA_URL),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "ATOMIC_REQUESTS": False,
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        # Tests read the replica through a second connection to the test database.
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out user name and address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Argon2 for new and changed passwords; the others still check older hashes, which are rehashed with
# Argon2 at the user's next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# Uploads and generated exports live outside the web root and are served only through scoped views.
MEDIA_ROOT = VAR_DIR / "private"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
            # Redis down: every page still renders, uncached (sessions live in the database); each
            # ignored error is logged, and a Redis that does not answer is given up on within seconds.
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 2},
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    # The figures keep an entry per town and year and a generation per unit: a city has hundreds of
    # towns, beyond LocMem's default of 300 entries (past which it drops a third of them at random).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

# Celery: a real broker when REDIS_URL is set, otherwise tasks run in-process so nothing else is needed.
# The in-memory broker names its host: kombu warns "No hostname was supplied" on every task otherwise.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
# CELERY_TASK_ALWAYS_EAGER=false without REDIS_URL queues tasks in memory and runs none (the API fuzz
# run: it checks the answers, and an export built inside the request would only slow it down).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
# The queue every task goes to and a worker reads by default: one broker can serve several portals (or
# test processes) when each has its own.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
# A task whose pool process died (killed, out of memory) goes back to the queue instead of being dropped:
# every task may run again (a self-check chunk reports once; an export or import checks its job first).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 60
# Redis hands a message whose whole worker died (SIGKILL, a lost machine) to another worker once it has
# been unacknowledged for the visibility timeout, looked for every 10 s. It must outlast the longest task
# (the time limit), or a task still running would be handed out twice; `make drill-worker-killed`
# shortens it. A broker that does not answer is given up on within seconds: a request that starts a job
# is then refused (`core.tasks.dispatch`) rather than left hanging.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 5 * 60),
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 3,
    "socket_timeout": 10,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Installed into django-celery-beat's tables on beat's start; the times can then be changed in the admin.
CELERY_BEAT_SCHEDULE = {
    "annual-self-checks": {
        "task": "assessments.tasks.annual_self_checks",
        # 1 December: after U-FILE's default filing deadline, before the year-end review.
        "schedule": crontab(minute=0, hour=2, day_of_month=1, month_of_year=12),
    },
    "filing-deadline-reminders": {
        "task": "assessments.tasks.filing_deadline_reminders",
        "schedule": crontab(minute=0, hour=8),
    },
    "designation-renewal-reminders": {
        "task": "designations.tasks.designation_renewal_reminders",
        "schedule": crontab(minute=30, hour=8),
    },
}

# Self-checks: communities per Celery task, and the days before U-FILE's deadline (which the city's
# edition sets) on which districts are reminded of new communities not yet filed.
SELF_CHECK_CHUNK_SIZE = env.int("SELF_CHECK_CHUNK_SIZE", default=2000)
FILING_REMINDER_DAYS = [int(day) for day in env.list("FILING_REMINDER_DAYS", default=["14", "7", "1"])]
# A save touching more communities than this re-evaluates them in a background task, not in the request.
SELF_CHECK_LIVE_LIMIT = 50
# Programme figures (`stats/`) are cached this long at most. Every write the portal makes to what they
# count ends them sooner (the change path, `core.changes`; a restore ends them all): this bounds
# only a change made beside the portal, by SQL at the database, and the memory the counts hold.
STATS_CACHE_SECONDS = env.int("STATS_CACHE_SECONDS", default=300)
# Designations: the days before `valid_until` on which the city and the district are reminded (once),
# and the rate of the public certificate check `verify/{code}/` per client address.
DESIGNATION_RENEWAL_DAYS = env.int("DESIGNATION_RENEWAL_DAYS", default=90)
VERIFY_THROTTLE_RATE = env.str("API_THROTTLE_VERIFY", default="60/minute")

# The number of proxies in front of the portal that append to X-Forwarded-For (0: clients connect
# directly). It tells the login lockout and the API's per-address throttles the client's real address
# (`core.security.client_address`); with 0, a forwarded header is ignored (any client can send one).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# API tokens (`POST /api/v1/auth/token/`) end this many days after they were issued.
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so that an anonymous API call is answered 401 with a WWW-Authenticate header.
        "core.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.RolePermission"],
    # DRF's own, held to DATA_UPLOAD_MAX_MEMORY_SIZE (413) and refusing JSON nested too deep (400).
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "core.api.parsers.FormParser",
        "core.api.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "core.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "core.api.filters.OrderingFilter",  # never by a personal field the caller sees masked
    ],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.handler",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_THROTTLE_USER", default="6000/hour"),
        "token": env.str("API_THROTTLE_TOKEN", default="60/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Per-address throttles (token endpoint, certificate checks) read the client's address as the
    # lockout does.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "社区规范化建设管理平台 API",
    "DESCRIPTION": "REST API for provincial systems and dashboards. Scoped to the caller's unit.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from our own static files: the portal runs on networks without CDN access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # An indicator's level and a self-check's level (which adds "none") are two choice sets.
    "ENUM_NAME_OVERRIDES": {
        "IndicatorLevelEnum": "standards.models.Level",
        "SelfCheckLevelEnum": "assessments.filtersets.LEVEL_CHOICES",
        "SelfCheckStatusEnum": "assessments.models.SELF_CHECK_STATUSES",
    },
}

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None

DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo-pass-2026")
# Evidence uploads (minutes, photos, charters): checked by content, limited in size.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
EVIDENCE_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG 图片",
    "image/png": "PNG 图片",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word 文档",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel 表格",
}
# Excel imports are bounded before they are read (`communities.imports`): data rows in all sheets
# together, bytes the workbook's zip unpacks to, and unpacked bytes per packed byte (a zip bomb).
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20_000)
IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("IMPORT_MAX_UNCOMPRESSED_BYTES", default=50 * 1024 * 1024)
IMPORT_MAX_COMPRESSION_RATIO = env.int("IMPORT_MAX_COMPRESSION_RATIO", default=100)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# A working day; closing the browser does not end it (staff keep one tab open across the day).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_COOKIE_SAMESITE = "Lax"
# ... but a session left without a request for this long ends (`core.security.IdleSessionMiddleware`).
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
# No script reads the CSRF cookie: pages put the token in forms and in htmx's hx-headers.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp): scripts only from our own files, never inline. Inline style
# attributes stay allowed (`style-src-attr`; templates size boxes with them and scripts such as
# ECharts' tooltips write them), <style> elements and stylesheets only from our own files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Login lockout (django-axes): after AXES_FAILURE_LIMIT failed logins for one user name from one
# address (browser login, admin and the API's token endpoint alike), that pair is refused for the
# cool-off, even with the right password; after LOGIN_ADDRESS_FAILURE_LIMIT failures from one address
# over all user names, that address is. Counted in the database, so every web process sees them.
# Behind a proxy not declared in TRUSTED_PROXY_COUNT every client has the proxy's address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=30)
AXES_HANDLER = "core.security.LoginLockoutHandler"
AXES_CLIENT_IP_CALLABLE = "core.security.client_address"
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts during the lockout do not restart it, so the page's "try again in N minutes" holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "core.security.lockout_response"
# No start-up banner in every manage.py command; failures and lockouts are still logged.
AXES_VERBOSE = False

if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Tasks run in-process (no broker): their "Task … succeeded" lines would only interleave with
    # the command or page that ran them (`make demo`'s seed_demo); a worker keeps them.
    "loggers": {"celery.app.trace": {"level": "WARNING"}} if CELERY_TASK_ALWAYS_EAGER else {},
}
