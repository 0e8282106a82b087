"""UrbanGrid settings. Every deployment choice comes from an environment variable (README:
"Configuration"); the defaults give a working local platform on SQLite under ./var/."""

from datetime import timedelta
from importlib.util import find_spec
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import Env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
env = Env()

DEBUG = env.boolean("DEBUG", default=True)
_DEV_SECRET = "insecure-dev-only-secret-key-do-not-use-in-production-0123456789"
SECRET_KEY = env.string("SECRET_KEY", default=_DEV_SECRET if DEBUG else None)
if not DEBUG and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be a random value of at least 50 characters.")
ALLOWED_HOSTS = env.string_list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.string_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "simple_history",
    "django_tasks_db",
    "ninja",  # serves the API docs page (Swagger UI) from its own static files
    "org",
    "geo",
    "catalog",
    "components",
    "cases",
    "intake.mobile",
    "intake.portal",
    "intake.hotline",
    "intake.partners",
    "intake.open311",
    "evaluation",
    "simulate",
    "consoles",
    "ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost but for security headers: a lost database answers 503 (config/unavailable.py).
    "config.unavailable.DatabaseUnavailable",
    "config.middleware.PlansByMethod",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.middleware.ApiErrorsAsJson",
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # Production serves collected static files itself; development uses runserver's finders.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

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
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "consoles.context_processors.workspaces",
            ],
        },
    },
]

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.database("DATABASE_URL", default_sqlite=VAR_DIR / "urbangrid.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite ignores an index's INCLUDE columns; they only spare PostgreSQL reading the table.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in throttling (django-axes): after SIGN_IN_FAILURES wrong passwords for one username
# from one address, that pair is refused for SIGN_IN_COOLOFF_MINUTES (429, in the user's
# language); a right password resets the count. Attempts are kept in the database, so every
# worker counts the same ones. An administrator unlocks early with `manage.py axes_reset`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.integer("SIGN_IN_FAILURES", default=5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.integer("SIGN_IN_COOLOFF_MINUTES", default=15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # lockouts are in the database (admin: Axes); no banner on every command
AXES_LOCKOUT_CALLABLE = "consoles.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "config.middleware.client_address"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language chosen in the top bar outlives the browser session (Django's default cookie
# lasts only as long as the session).
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = env.time_zone("TIME_ZONE", default="Asia/Shanghai")
# The working calendar: working periods of a day, and how many hours make a working day
# (empty: the length of the periods; some cities count 8 or 6).
WORKING_PERIODS = env.time_periods("WORKING_PERIODS", default="08:30-12:00,14:00-17:30")
WORKING_DAY_HOURS = env.positive_number("WORKING_DAY_HOURS", default=None)
# The map's base layer: a tile URL such as https://t0.tianditu.gov.cn/…/{z}/{x}/{y} or an OSM
# server, in WGS84/CGCS2000 (not GCJ-02/BD-09). Empty: outlines on a plain background. Its host
# must also be listed in CSP_IMG_SOURCES.
MAP_TILE_URL = env.string("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env.string("MAP_TILE_ATTRIBUTION", default="")
# Dispatchers are warned when a case lies this close to the border between two streets.
BOUNDARY_WARNING_METRES = env.integer("BOUNDARY_WARNING_METRES", default=50, minimum=0)
# Caps on a case's handling (回退, 延期): how often a unit may return it, how often it may be
# extended, and the longest single extension in minutes of the handling limit's clock.
MAX_RETURNS = env.integer("MAX_RETURNS", default=2, minimum=0)
MAX_EXTENSIONS = env.integer("MAX_EXTENSIONS", default=2, minimum=0)
MAX_EXTENSION_MINUTES = env.integer(
    "MAX_EXTENSION_MINUTES", default=4200, minimum=1, maximum=525_600
)
# A report queued on an offline phone keeps its time of observation, up to this many hours old.
OBSERVED_MAX_AGE_HOURS = env.integer("OBSERVED_MAX_AGE_HOURS", default=72, minimum=1, maximum=720)
# A photo is flagged for the acceptor when its EXIF says it was taken this long before it was
# sent, or this far from the place reported.
PHOTO_MAX_AGE_HOURS = env.integer("PHOTO_MAX_AGE_HOURS", default=24, minimum=1)
PHOTO_MAX_DISTANCE_METRES = env.integer("PHOTO_MAX_DISTANCE_METRES", default=300, minimum=1)
# A report naming a component farther than this from the reported position is refused.
COMPONENT_MAX_DISTANCE_METRES = env.integer(
    "COMPONENT_MAX_DISTANCE_METRES", default=1000, minimum=1
)
# A month is settled (evaluation/settlement.py) this many days after its end, once its appeals
# are decided.
EVALUATION_SETTLE_DAYS = env.integer("EVALUATION_SETTLE_DAYS", default=5, minimum=0, maximum=60)
# Text messages to duty phones and mobiles (org/sms.py): the dotted path of the sending class.
# The default logs each message with the number masked; a provider plugs in as a subclass.
SMS_BACKEND = env.string("SMS_BACKEND", default="org.sms.LoggingBackend")
# Background tasks (Django's task framework; text messages today). "immediate" runs a task at
# once, in the request that enqueued it (development, tests); "database" queues it in the
# database (django-tasks-db), where `manage.py db_worker` processes take it: a slow or failing
# provider then never holds a request, and the queue is in every backup.
TASK_QUEUE = env.choice("TASK_QUEUE", default="immediate", choices=("immediate", "database"))
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[TASK_QUEUE]
    }
}
# The cache: local memory by default, one per process. CACHE_URL (redis://host:6379/0) shares
# it through Redis between every worker of every app server, so the rate limits (portal,
# Open311, position pings), counted there, hold across them. CACHE_KEY_PREFIX keeps deployments
# sharing one Redis apart. Without Redis the limits lapse rather than the requests fail
# (config/cache.py).
_CACHE_URL = env.url("CACHE_URL", schemes=("redis", "rediss", "unix"))
CACHES = {
    "default": {
        "BACKEND": "config.cache.ForgivingRedisCache",
        "LOCATION": _CACHE_URL,
        "KEY_PREFIX": env.string("CACHE_KEY_PREFIX", default=""),
        # A Redis that does not answer costs a request half a second, not a hang.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    if _CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# The public portal's rate limits per client IP (intake/portal/limits.py, django-ratelimit).
# Their counters live in the default cache: with the local-memory default each process counts
# its own, so production sets CACHE_URL for the limits to hold.
RATELIMIT_FAIL_OPEN = True  # a counter the cache cannot give lets the request through
PORTAL_REPORTS_PER_HOUR = env.integer("PORTAL_REPORTS_PER_HOUR", default=5, minimum=1)
PORTAL_LOOKUPS_PER_MINUTE = env.integer("PORTAL_LOOKUPS_PER_MINUTE", default=20, minimum=1)
# Behind a reverse proxy every client has the proxy's address: name the request header the
# proxy sets to the client's (nginx: proxy_set_header X-Real-IP $remote_addr; then
# HTTP_X_REAL_IP), or all citizens share one limit. Empty: the connection's address.
_CLIENT_ADDRESS_HEADER = env.string("RATELIMIT_IP_META_KEY", default="")
if _CLIENT_ADDRESS_HEADER:
    RATELIMIT_IP_META_KEY = _CLIENT_ADDRESS_HEADER
# The hotline the portal tells citizens to call when a problem is urgent.
PORTAL_HOTLINE = env.string("PORTAL_HOTLINE", default="12319")
# Status pushes to partner systems (intake/partners/delivery.py, `manage.py
# deliver_partner_callbacks`): attempts before a push is dead-lettered, the timeout of one, and
# the wait before the first retry (doubled each time, up to the maximum), in seconds. The
# defaults still catch up a partner that was down for most of a day.
PARTNER_CALLBACK_MAX_ATTEMPTS = env.integer("PARTNER_CALLBACK_MAX_ATTEMPTS", default=10, minimum=1)
PARTNER_CALLBACK_TIMEOUT = env.integer("PARTNER_CALLBACK_TIMEOUT", default=10, minimum=1)
PARTNER_CALLBACK_BACKOFF = env.integer("PARTNER_CALLBACK_BACKOFF", default=60, minimum=1)
PARTNER_CALLBACK_BACKOFF_MAX = env.integer(
    "PARTNER_CALLBACK_BACKOFF_MAX", default=6 * 3600, minimum=1
)
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
# django-leaflet ships Leaflet's JS and CSS. Only its static files are used: as an installed app
# its admin module would need the GDAL C library, which UrbanGrid does not (geometry is Shapely).
_LEAFLET_PACKAGE = Path(find_spec("leaflet").origin or "").parent  # type: ignore[union-attr]
# ECharts comes from npm (package.json, installed by `make`): only its built files, under
# static/echarts/, so collectstatic copies nothing else of node_modules.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    _LEAFLET_PACKAGE / "static",
    ("echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Photos and evaluation workbooks: in MEDIA_ROOT, or in an S3-compatible bucket that every app
# server shares (MEDIA_STORAGE=s3). App code reaches them only through the storage API.
STORAGES = {
    "default": env.media_storage("MEDIA_STORAGE"),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Scripts and styles come from this origin only; inline scripts need the per-request nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *env.string_list("CSP_IMG_SOURCES", default=[])],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# A load balancer probes each server over plain HTTP, without the proxy's header (config/probe.py).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", default=0, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
    SECURE_HSTS_PRELOAD = env.boolean("SECURE_HSTS_PRELOAD", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env.choice(
            "LOG_LEVEL", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR")
        ),
    },
}

PRODUCT_NAME = _("UrbanGrid digital urban management")
