"""Shared settings. Every value a deployment may change is an environment variable.

With no variables set at all, Anju runs embedded: SQLite, Celery tasks executed
in-process, local-memory cache and database sessions. Point DATABASE_URL, REDIS_URL and
CELERY_BROKER_URL at PostgreSQL and Redis for production and CI.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

# platform/anju/settings/base.py -> repository root is three parents above anju/.
PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PACKAGE_DIR.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

SECRET_KEY = env("SECRET_KEY", default="django-insecure-anju-dev-only-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A failed form security check is explained in the visitor's language (anju.core.csrf).
CSRF_FAILURE_VIEW = "anju.core.csrf.csrf_failure"

# --- applications -------------------------------------------------------------------
CORE_APPS = [
    # the core, lowest layer first: the order of the "Core layers" contract in
    # pyproject.toml (tests/platform/test_layers.py checks that the two agree)
    "anju.core",
    "anju.community",
    "anju.permissions",
    "anju.register",
    "anju.notify",
    "anju.notices",
    "anju.services",
    "anju.campaigns",
    "anju.plugins",
    "anju.residents",
    "anju.portal",
    "anju.api",
    "anju.dashboard",
    "anju.demo",
    "theme",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v2",
    "wagtail",
    "modelcluster",
    "taggit",
    # API, permissions, tasks
    "rest_framework",
    # API tokens (django-rest-knox: hashed, expiring, many per user), see "--- API".
    "knox",
    # CORS for the configured origins only (django-cors-headers), see "--- API".
    "corsheaders",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_celery_beat",
    # Login throttling and lockout (django-axes), see "--- auth" below.
    "axes",
    # /health/ (anju.core.health) and backups (manage.py dbbackup / mediabackup).
    "health_check",
    "dbbackup",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

# --- plugins ------------------------------------------------------------------------
# Found through the `anju.plugins` entry-point group (anju.plugins.discovery); no list to
# keep here. Per-plugin settings: PLUGINS_CONFIG={"label": {...}} (JSON in the env).
PLUGINS_CONFIG = env.json("PLUGINS_CONFIG", default={})
# An incompatible plugin or a missing required setting stops the start (dev, test, CI);
# production sets this False to skip the plugin with a warning instead.
PLUGIN_ERRORS_FATAL = env.bool("PLUGIN_ERRORS_FATAL", default=True)


def with_plugins(core_apps, fatal, extra=()):
    from anju.plugins.discovery import installed_plugin_apps

    return core_apps + installed_plugin_apps(PLUGINS_CONFIG, fatal=fatal, extra=tuple(extra))


# Each settings module (dev, test, production) adds the plugins with its own policy.
INSTALLED_APPS = CORE_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Answers CORS preflights and adds the headers for CORS_ALLOWED_ORIGINS only; before
    # anything that may answer first (whitenoise, CommonMiddleware's redirects).
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous portal pages come from the cache until a publish changes them: before
    # the session and locale middleware, so a hit costs little more than a static file
    # (the key holds the path and the language cookie the language is chosen from).
    "anju.portal.cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Language comes from the URL (/en/...) or the resident's explicit choice, never
    # from the browser's Accept-Language header: zh-hans is the default for everyone.
    "anju.core.middleware.IgnoreAcceptLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "anju.core.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Ids too large for the database are a 404, never an OverflowError.
    "anju.core.middleware.IdRangeMiddleware",
    # A portal form whose answers are over the size limit comes back with them and a
    # message, never a bare 400 (anju.core.middleware.FormBodyLimitMiddleware).
    "anju.core.middleware.FormBodyLimitMiddleware",
    # Zero-width characters are stripped from every posted field (anju.core.normalise).
    "anju.core.normalise.InvisibleCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Deny by default: staff routes that do not declare their grid scope are refused to
    # grid-restricted roles (anju.permissions.urlscope).
    "anju.permissions.urlscope.GridScopeMiddleware",
    # A disabled plugin's views answer 404 (anju.plugins.activation).
    "anju.plugins.middleware.PluginMiddleware",
    # A listing with no export columns answers ?export= with 404, never blank rows.
    "anju.core.middleware.NoEmptyExportMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Turns a login that django-axes locked out into the lockout answer (429, Chinese
    # message, Retry-After: anju.permissions.lockout). Last, as axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "anju.urls"
WSGI_APPLICATION = "anju.wsgi.application"

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
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "anju.plugins.context_processors.plugins",
                "anju.residents.eldermode.context",
            ],
        },
    },
]

# --- data ---------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Seconds a connection is kept for the next request (0: one per request, the default
# for runserver and tests; production keeps them, see settings/production.py). Checked
# before reuse, so a restarted PostgreSQL costs one retry, not an error.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the Celery worker and the web process share the file without locking out
    # readers; the timeout rides out the short writer locks that remain. IMMEDIATE
    # transactions take the write lock when they begin, so two concurrent writers (a
    # double-tapped submit) queue for it instead of one failing with "database is
    # locked" when it upgrades a read lock (Django 5.1+).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis is optional for serving: unreachable, it is a cache miss, not a 500
            # (anju.core.cache). Short timeouts so an outage never stalls a request.
            "BACKEND": "anju.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="anju"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
    # Sessions live in the database, with a copy in Redis for speed: losing Redis signs
    # nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- auth ---------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username + address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Anonymous visitors never hold object permissions; without this guardian would add an
# "AnonymousUser" row that shows up in Wagtail's user list.
ANONYMOUS_USER_NAME = None
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Residents sign in on the portal (phone + SMS code, anju.residents); the staff admin has
# its own login page, which Wagtail sends staff to by itself.
LOGIN_URL = "residents:sign-in"

# Login throttling (django-axes): every login counts its failures — the staff admin's
# password login and the residents' SMS-code sign-in (keyed by a hash of the phone,
# anju.residents.views) — and after AXES_FAILURE_LIMIT failures of one username from one
# address within AXES_COOLOFF_TIME the login answers 429 with Retry-After and a Chinese
# message until the cool-off ends or an administrator unlocks it (admin: Settings → Login
# lockouts, or `manage.py axes_reset_username NAME`). The database handler keeps the
# count in PostgreSQL, so lockouts hold when Redis is down. Pages restricted to signed-in
# people send them to these same logins; a page's shared password (Wagtail's privacy
# "password" option) is no account login and is not counted.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Every failure is kept (AccessFailureLog) besides the running count (AccessAttempt),
# so a lockout can be traced after it was lifted.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# The client's address as django-ratelimit sees it (RATELIMIT_IP_META_KEY behind a load
# balancer), so both limits count the same person.
AXES_CLIENT_IP_CALLABLE = "anju.permissions.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "anju.permissions.lockout.lockout_response"
# The residents' form posts a phone number and a code: never stored in the attempt log.
AXES_SENSITIVE_PARAMETERS = ["password", "phone", "code"]
AXES_VERBOSE = False

# --- personal data ------------------------------------------------------------------
# ID and phone numbers are encrypted at rest (django-fernet-encrypted-fields) with keys
# derived from SECRET_KEY (and SECRET_KEY_FALLBACKS while rotating) and this salt.
SALT_KEY = env.list("FIELD_ENCRYPTION_SALT", default=["anju-personal-data"])
# Keys the digest that makes encrypted ID numbers unique and searchable. Changing it
# needs a re-hash of every resident (manage.py rehash_id_numbers), so it is separate
# from SECRET_KEY and should be set once per installation.
ID_NUMBER_HASH_KEY = env("ID_NUMBER_HASH_KEY", default=SECRET_KEY)

# --- language and time --------------------------------------------------------------
# zh-hans must be set before the first migrate: Wagtail creates its default Locale from it.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
# The second: translations of Wagtail's own strings its zh_Hans catalogue lacks (the
# keyboard-shortcut dialog, "Exploring", page counts); LOCALE_PATHS take precedence.
LOCALE_PATHS = [PACKAGE_DIR / "locale", PACKAGE_DIR / "wagtail_translations" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = [("zh-hans", "简体中文")]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAIL_SITE_NAME = env("WAGTAIL_SITE_NAME", default="安居")
# No call home to wagtail.org (the machine may have no internet), and no English banner.
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No outside avatar service (Gravatar): the admin shows its own placeholder, and no
# staff member's e-mail hash leaves the machine.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Wagtail's login form with the password's label translated (anju.permissions.login).
WAGTAILADMIN_USER_LOGIN_FORM = "anju.permissions.login.LoginForm"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILSEARCH_BACKENDS = {
    "default": {
        # Wagtail's database backend, with Chinese queries segmented by jieba as the
        # portal does (anju.notices.search_backend), so the admin's search finds 稳岗补贴.
        "BACKEND": "anju.notices.search_backend",
        # Chinese is segmented by us before indexing; "simple" keeps PostgreSQL from
        # applying English stemming to it.
        "SEARCH_CONFIG": "simple",
    }
}

# --- static and media ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # manage.py dbbackup / mediabackup write here (README, "Backup and restore").
    "dbbackup": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env("BACKUP_DIR", default=str(BASE_DIR / "backups"))},
    },
}
# Uploads on S3-compatible object storage (django-storages), so that several app
# machines share them and none keeps anything on its own disk. Objects are private:
# attachments still go out only through permission-checked views, which read them from
# the bucket; Wagtail images get signed URLs valid for MEDIA_S3_URL_SECONDS.
MEDIA_S3_BUCKET = env("MEDIA_S3_BUCKET", default="")
if MEDIA_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": env("MEDIA_S3_ENDPOINT_URL", default=None),
            "region_name": env("MEDIA_S3_REGION", default=None),
            "access_key": env("MEDIA_S3_ACCESS_KEY", default=None),
            "secret_key": env("MEDIA_S3_SECRET_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env.int("MEDIA_S3_URL_SECONDS", default=86400),
            "file_overwrite": False,
        },
    }
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# A portal form's body up to this size is held so that, if its written answers exceed
# DATA_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB), they come back to the resident with a
# message (anju.core.middleware.FormBodyLimitMiddleware). Keep it at the web server's
# client_max_body_size (deploy/nginx.conf: 12m).
FORM_BODY_MAX_BYTES = env.int("FORM_BODY_MAX_BYTES", default=12 * 1024 * 1024)
# Uploads are sent only by permission-checked views (anju.core.media). Set to the web
# server's internal location (deploy/nginx.conf: "/protected-media/") to hand the
# sending to it with X-Accel-Redirect; empty, Django streams the file itself.
MEDIA_ACCEL_REDIRECT_PREFIX = env("MEDIA_ACCEL_REDIRECT_PREFIX", default="")
# Wagtail documents through Wagtail's own view, which checks the document's collection
# privacy; image renditions are public by design (only publish images meant for all).
WAGTAILDOCS_SERVE_METHOD = "serve_view"

# Seconds an anonymous portal page stays cached (invalidated on publish anyway).
PORTAL_CACHE_SECONDS = env.int("PORTAL_CACHE_SECONDS", default=300)
# The dashboard's figures are kept this long per user, community and month, and dropped
# at any write to what they count (anju.dashboard.cache); 0 counts afresh every time.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=60)
# Past months' visited households (the trend chart), kept this long per community and
# month, dropped when a visit dated in that month is written (anju.dashboard.visited).
DASHBOARD_MONTHS_CACHE_SECONDS = env.int("DASHBOARD_MONTHS_CACHE_SECONDS", default=86400)
# Seconds a process keeps what changes only on publish (sites, active plugins, page
# fragments; anju.core.localcache), at most: a publish anywhere forgets it at once.
LOCAL_CACHE_SECONDS = env.int("LOCAL_CACHE_SECONDS", default=300)
# How a process learns that the publish generation moved: with Redis, from a subscription
# to its channel (no round trip per request), with the counter read again at least this
# often in case the subscription was lost unnoticed; 0 reads it on every request.
GENERATION_RECHECK_SECONDS = env.float("GENERATION_RECHECK_SECONDS", default=1.0)

# --- services engine (anju.services) ---------------------------------------------------
SERVICES_MAX_UPLOAD_BYTES = env.int("SERVICES_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
SERVICES_SUBMIT_RATE = env("SERVICES_SUBMIT_RATE", default="20/h")
SERVICES_TRACK_RATE = env("SERVICES_TRACK_RATE", default="30/h")
SERVICES_SLA_BATCH_SIZE = env.int("SERVICES_SLA_BATCH_SIZE", default=1000)
# Rows of a register import (anju.register.imports) written per step and transaction.
REGISTER_IMPORT_STEP = env.int("REGISTER_IMPORT_STEP", default=5000)
# Behind a load balancer the client's address is in a header the balancer sets (for
# example RATELIMIT_IP_META_KEY=HTTP_X_REAL_IP); unset, REMOTE_ADDR. django-ratelimit asks
# anju.core.ratelimits.client_address, which never fails on an empty or forged address.
CLIENT_IP_META_KEY = env("RATELIMIT_IP_META_KEY", default=None)
RATELIMIT_IP_META_KEY = "anju.core.ratelimits.client_address"

# --- residents on the portal (anju.residents) -----------------------------------------
RESIDENTS_CODE_TTL = env.int("RESIDENTS_CODE_TTL", default=300)  # seconds a code is valid
RESIDENTS_CODE_MAX_TRIES = env.int("RESIDENTS_CODE_MAX_TRIES", default=5)
RESIDENTS_CODES_PER_HOUR = env.int("RESIDENTS_CODES_PER_HOUR", default=5)  # per phone
RESIDENTS_CODE_RATE = env("RESIDENTS_CODE_RATE", default="10/h")  # per address
RESIDENTS_VERIFY_RATE = env("RESIDENTS_VERIFY_RATE", default="30/h")  # per address

# --- API ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Anonymous calls to protected endpoints: 401 with a WWW-Authenticate challenge
    # naming both ways in (the first class's challenge is the one sent).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "anju.api.tokens.TokenAuthentication",
        "anju.core.authentication.SessionAuthentication",
    ],
    # JSON nested too deep is a 400, not a RecursionError (anju.core.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "anju.core.parsers.SafeJSONParser",
        "anju.core.parsers.CleanFormParser",
        "anju.core.parsers.CleanMultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # django-filter, with ids beyond the database's range answered 400 (anju.core.filters).
    "DEFAULT_FILTER_BACKENDS": ["anju.core.filters.RangeCheckedFilterBackend"],
    # A body's id beyond 64 bits is a 400, not SQLite's OverflowError (anju.core.apierrors).
    "EXCEPTION_HANDLER": "anju.core.apierrors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "anju.core.pagination.CappedCountPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Anju API",
    "DESCRIPTION": """安居 community-governance platform: REST API for staff and clients.

**Signing in / 认证** (see docs/api.md):

* Browser session (门户或后台登录后的 Cookie), with the CSRF token on writes.
* Resident personal token / 居民个人令牌: `POST /api/auth/code/` `{"phone": "13907431234"}`,
  then `POST /api/auth/token/` `{"phone": "13907431234", "code": "123456"}` →
  `{"token": "anju_…", "expiry": …}`. Send it as `Authorization: Bearer anju_…`.
* Staff personal token / 工作人员个人令牌: issued by an administrator in the admin
  (Settings → API tokens); same header.
* Integration key / 集成密钥 (another system): issued in the admin with scopes
  `notices:read`, `requests:file`, `figures:read` and an expiry; same header (Open311
  clients may send it as `api_key`). Only the endpoints its scopes open; 403 otherwise.

Example: `curl -H "Authorization: Bearer anju_…" https://HOST/api/services/my-cases/`

Missing, unknown, expired or revoked credentials answer 401 with
`WWW-Authenticate: Bearer realm="anju", error="invalid_token", error_description="expired"`.
Open311 GeoReport v2 is at `/open311/v2/` (discovery.json).""",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the drf-spectacular-sidecar package, not a CDN: works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Only our own API: Wagtail's /api/v2/ and admin views are documented elsewhere.
    "PREPROCESSING_HOOKS": ["anju.api.schema.only_anju_endpoints"],
    # A time of day is local wall time without an offset (anju.api.schema.local_times).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "anju.api.schema.local_times",
    ],
    # One name for the case status wherever it appears, so a plugin's own "status"
    # choices never collide with it in the schema.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "anju.services.models.Status",
        "CaseLevelEnum": "anju.services.models.Level",
        "CampaignOutcomeEnum": "anju.campaigns.models.Outcome",
        "CampaignKindEnum": "anju.campaigns.models.Kind",
        "CaseEventKindEnum": "anju.services.models.CaseEvent.Kind",
        "CampaignAnswerOutcomeEnum": "anju.campaigns.models.ANSWER_OUTCOMES",
        "ConsentMethodEnum": "anju.services.models.CaseConsent.Method",
        # low / medium / high: a dispute's risk, a hazard's severity (plugins), one enum.
        "LowMediumHighEnum": [("low", _("Low")), ("medium", _("Medium")), ("high", _("High"))],
    },
}

# --- Celery -------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default="") or None
# No broker configured -> run tasks in-process (the embedded default).
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL.startswith("memory://")
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="anju")
# Bulk deliveries (a notice's fan-out: a batch of messages per task) have a queue of
# their own, so a notice to a county does not hold up a sign-in code or a case assigned:
# a worker takes from its queues in turn. Every worker consumes both unless ``-Q`` names
# some (``-Q anju.bulk`` for a worker that only delivers fan-outs).
NOTIFY_BULK_QUEUE = env("NOTIFY_BULK_QUEUE", default=f"{CELERY_TASK_DEFAULT_QUEUE}.bulk")


def celery_queues(*names):
    """Celery's queue declarations (task_queues) for ``names``, as Celery would make
    them for a queue named at send time: a direct exchange of the same name."""
    from kombu import Exchange, Queue

    return [Queue(name, Exchange(name), routing_key=name) for name in names]


CELERY_TASK_QUEUES = celery_queues(CELERY_TASK_DEFAULT_QUEUE, NOTIFY_BULK_QUEUE)
# A task is acknowledged when it is done, not when taken: a worker killed mid-task
# leaves it to be delivered again (every task is safe to run twice).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One task at a time per worker process: a killed worker strands one task, not a batch,
# and long tasks never sit behind each other in a prefetch buffer.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis re-delivers an unacknowledged task after the visibility timeout. It must outlast
# the longest task (the SLA sweep over a large community takes minutes; fan-outs run in
# steps of seconds) or a slow task is run twice at once. Work people start does not wait
# for it: the outbox sweep (anju.sweep_outbox) hands on a step whose worker died as soon
# as its lease (OUTBOX_LEASE) runs out.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=1800),
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing a task from a web request gives up quickly when the broker is down: what
# the task would do is recorded in the database first (anju.core.outbox,
# anju.notify.outbox) and beat's sweeps send it once the broker is back.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
# Celery's Django fix-up closes the database connection before and after every task,
# whatever CONN_MAX_AGE says: a new PostgreSQL connection for each task (about 10 ms of
# the server's CPU; a notice's fan-out runs hundreds of tasks). With this it forces a
# close only every that many tasks; around each task anju.celery applies Django's own
# rule instead, as after a web request: a connection older than CONN_MAX_AGE, or one
# that failed or fails its health check, is replaced.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# Schedules the core needs; plugins add their own through the plugin contract.
CELERY_BEAT_SCHEDULE = {
    "wagtail-publish-scheduled": {
        "task": "anju.publish_scheduled_pages",
        "schedule": 60.0,
    },
    # Background work people started that is past due: never sent (broker down), lost
    # with a killed worker, or waiting to retry (anju.core.outbox).
    "core-sweep-outbox": {
        "task": "anju.sweep_outbox",
        "schedule": 60.0,
    },
    # Overdue cases escalate grid -> community (anju.services.sla).
    "services-sweep-overdue": {
        "task": "services.sweep_overdue",
        "schedule": 300.0,
    },
    # Campaigns: the next round of a recurring campaign, and overdue rounds reminded
    # to the grid worker, then the committee (anju.campaigns).
    "campaigns-start-due-rounds": {
        "task": "campaigns.start_due_rounds",
        "schedule": 3600.0,
    },
    "campaigns-sweep-overdue": {
        "task": "campaigns.sweep_overdue",
        "schedule": 3600.0,
    },
}

# --- logging ------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Per-task chatter from Wagtail's background tasks drowns out what matters.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "jieba": {"level": "WARNING"},
        "kombu.connection": {"level": "ERROR"},
    },
}
if CELERY_TASK_ALWAYS_EAGER:
    # One line per task is noise when tasks run in-process (the embedded default); a real
    # worker keeps its normal log.
    LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}

# API tokens for clients that are not a browser (anju.api.tokens, django-rest-knox):
# personal tokens (a resident's from POST /api/auth/token/, a staff member's issued in
# the admin) and integration keys with scopes. Only a SHA-512 digest is stored.
KNOX_TOKEN_MODEL = "anju_api.ApiToken"
# Knox's own migrations create its default token table even when the model is swapped;
# that unused table's key to auth_user would block the test database's flush. Without
# migrations the swapped-out model gets no table at all.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Bearer",
    # Recognisable in logs and by secret scanners; never part of what is checked.
    "TOKEN_PREFIX": "anju_",
    "TOKEN_TTL": timedelta(days=30),
}
# Requests per token (DRF's notation), counted in the default cache.
API_TOKEN_RATE = env("API_TOKEN_RATE", default="600/hour")
# Days a resident's token from the API sign-in lasts, and the most a token issued in the
# admin may last.
API_RESIDENT_TOKEN_DAYS = env.int("API_RESIDENT_TOKEN_DAYS", default=30)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
# A resident's devices: the oldest token is revoked when a sign-in would exceed this.
API_TOKENS_PER_RESIDENT = env.int("API_TOKENS_PER_RESIDENT", default=10)

# Per-address limit on reading Open311 requests back (anju.api.open311).
OPEN311_READ_RATE = env("OPEN311_READ_RATE", default="300/hour")

# CORS (django-cors-headers): the origins of separate web front ends allowed to call
# /api/ and /open311/ from a browser, e.g. CORS_ALLOWED_ORIGINS=https://app.example.cn.
# None by default: other origins get no CORS headers, so browsers refuse them. Tokens,
# not cookies, cross origins (no credentials).
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/(api|open311)/.*$"
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = (
    "accept",
    "accept-language",
    "authorization",
    "content-type",
    "idempotency-key",
)
