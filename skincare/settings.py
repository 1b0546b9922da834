"""Project settings.

Every value comes from an environment variable with an embedded default that needs
nothing installed: SQLite, local-memory cache, eager Celery, media on local disk,
console e-mail and the relational analytics store. Setting ``DATABASE_URL``,
``REDIS_URL``, ``CELERY_BROKER_URL``, ``MONGODB_URL`` or the S3 variables switches
each part to the real service. ``.env.example`` documents every variable.
"""

import json
import os
import secrets
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from skincare.observability.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")


def env_bool(name: str, *, default: bool) -> bool:
    """A yes/no variable. Set but empty (``NAME=`` in a copy of .env.example) means the default, as unset does."""
    return env.bool(name) if env.str(name, default="").strip() else default


def local_secret_key(path: Path) -> str:
    """This checkout's own key, made on the first start and kept in a git-ignored file.

    Never a published key: it signs sessions, password-reset links and the JWTs, so a key from
    the repository would let anyone mint an admin token. Processes starting together (CI, several
    gunicorn workers) agree on one key: each writes a complete file aside and hard-links it into
    place, which fails when another process got there first (like O_EXCL, but never half-written).
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50) + "\n"
        fd, draft = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.")  # mode 0600
        try:
            with os.fdopen(fd, "w") as file:
                file.write(key)
            try:
                os.link(draft, path)
            except FileExistsError:
                pass
            except OSError:  # no hard links on this file system: exclusive create instead
                try:
                    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
                        file.write(key)
                except FileExistsError:
                    pass
        finally:
            os.unlink(draft)
    key = path.read_text().strip()
    if len(key) < 50:
        raise ImproperlyConfigured(f"{path} does not hold a secret key; delete it to make a new one.")
    return key


DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = local_secret_key(Path(env.str("SECRET_KEY_FILE", default="") or BASE_DIR / ".secret_key"))
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "shop.accounts.admin_apps.ShopAdminConfig",  # django.contrib.admin with the project's sign-in
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_celery_beat",
    "skincare",
    "shop.accounts",
    "shop.files",
    "shop.catalog",
    "shop.cart",
    "shop.wishlist",
    "shop.coupons",
    "shop.orders",
    "shop.subscriptions",
    "shop.storefront",
    "feedback",
    "reviews",
    "ml",
    "ml.skin_analysis",
    "ml.goals",
]

MIDDLEWARE = [
    # Outermost: the request id and the metrics cover everything below (docs/observability.md).
    "skincare.observability.middleware.ObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "skincare.http_plumbing.CachedPolicyCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "skincare.api.middleware.ApiTrailingSlashMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "skincare.http_plumbing.LazyMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "skincare.api.middleware.ApiRequestLimitsMiddleware",
    "skincare.api.middleware.ApiNotFoundMiddleware",
    "skincare.api.middleware.ApiRequestTextMiddleware",
    "shop.storefront.middleware.PageRequestTextMiddleware",
    "shop.storefront.middleware.ProfileLanguageMiddleware",
]

if not DEBUG:
    # In production gunicorn serves static files through WhiteNoise; runserver does it in development.
    MIDDLEWARE.insert(2, "whitenoise.middleware.WhiteNoiseMiddleware")

# Benchmarks only: every answer carries X-Query-Count (SQL statements it ran); see benchmarks/hot_paths.py.
QUERY_COUNT_HEADER = env_bool("QUERY_COUNT_HEADER", default=False)
if QUERY_COUNT_HEADER:
    MIDDLEWARE.insert(0, "skincare.api.query_count.QueryCountHeaderMiddleware")

ROOT_URLCONF = "skincare.urls"
WSGI_APPLICATION = "skincare.wsgi.application"
ASGI_APPLICATION = "skincare.asgi.application"

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
                "django.template.context_processors.i18n",
                "shop.storefront.context_processors.storefront",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# The cart's hot statements and the order notices' two reads (feedback/selectors.py) prepared once per
# connection (skincare/prepared.py); by default with persistent connections only. Set it false behind PgBouncer
# in transaction mode (docs/operations.md).
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", default=DATABASES["default"]["CONN_MAX_AGE"] != 0)
if DB_PREPARED_STATEMENTS and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Each prepared statement keeps its generic plan from its first run: they all look rows up by key, and a
    # checkout's INSERT of the order and its rows (UNNEST of arrays) was planned anew on every run otherwise
    # (skincare/prepared.py). Statements Django sends are not prepared: this setting does not touch them.
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _plan_mode = "-c plan_cache_mode=force_generic_plan"
    _db_options["options"] = " ".join(filter(None, [_db_options.get("options"), _plan_mode]))
# A PostgreSQL streaming replica for analytics reads (skincare/db_router.py, docs/operations.md).
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
ANALYTICS_REPLICA_MODELS = ["ml.analyticsdocument", "ml.orderanalytics", "ml.productanalytics"]
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **environ.Env.db_url_config(DATABASE_REPLICA_URL),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "TEST": {"MIRROR": "default"},  # tests read the primary's test database through the replica alias
    }
    DATABASE_ROUTERS = ["skincare.db_router.AnalyticsReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="skincare"),
            "OPTIONS": {
                # django-redis's DefaultClient, counting hits and misses for /metrics.
                "CLIENT_CLASS": "skincare.observability.cache.RedisClient",
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
                # Redis down: cache reads miss and writes are skipped (logged), so pages and the API answer
                # from the database and throttles let requests through, instead of every request failing
                # (docs/operations.md, "Redis down"). Code that talks to Redis directly handles its own errors.
                "IGNORE_EXCEPTIONS": env_bool("CACHE_IGNORE_EXCEPTIONS", default=True),
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    # Django's LocMemCache, counting hits and misses for /metrics.
    CACHES = {"default": {"BACKEND": "skincare.observability.cache.LocMemCache", "LOCATION": "skincare"}}
# Seconds the product page keeps its "You may also like" list (every visitor's) and a guest's similar and
# bought-together lists (rendered, under the catalog's list version, which every product, category or brand
# change replaces). What changes them without a new version (a sale reordering "You may also like", a new order
# in "Often bought together", the nightly similar lists) shows within this bound. The catalog lists' own minute
# by default.
PRODUCT_PAGE_LIST_TIMEOUT = env.int("PRODUCT_PAGE_LIST_TIMEOUT", default=60)

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
# The queue tasks are sent to and workers read by default (one broker shared by several deployments).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Ready for failures (docs/observability.md): a task is acknowledged after it ran, a worker takes one
# message at a time, and a task whose worker process died is handed back to the broker.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A publish tries the broker twice (Celery's default: four times), the second on a fresh connection (a pooled one
# the broker closed on a restart). Each try against a broker that does not answer waits for the connection
# timeout or the resolver (10 s in the compose trial): four of them held a checkout past gunicorn's 30 s timeout.
# A publish that still fails goes to the outbox (skincare/celery.py).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# Every task gets SoftTimeLimitExceeded after the soft limit and is killed at the hard one. The slow
# nightly jobs get longer limits, kept under RabbitMQ's consumer_timeout (30 min by default), past
# which the broker drops the channel of an unacknowledged (acks_late) message.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
# The tasks of an operation (a checkout's notices and e-mails), with a broker, wait in the database up to this
# long (plus the drain's run) and run with those of the other operations of the window, in one worker task
# (skincare/deferred.py); 0: one message per operation instead.
DEFERRED_DRAIN_SECONDS = env.float("DEFERRED_DRAIN_SECONDS", default=1.0)
# After the broker or Redis failed, this process does not ask it again for this long: tasks go to the outbox and
# cache reads miss at once (skincare/service_outage.py). One that does not answer would hold every request.
SERVICE_DOWN_HOLD_SECONDS = env.float("SERVICE_DOWN_HOLD_SECONDS", default=15.0)
CELERY_SLOW_TASK_SOFT_TIME_LIMIT = env.int("CELERY_SLOW_TASK_SOFT_TIME_LIMIT", default=1500)
CELERY_SLOW_TASK_TIME_LIMIT = env.int("CELERY_SLOW_TASK_TIME_LIMIT", default=1620)
CELERY_SLOW_TASKS = (
    "ml.etl_daily_metrics",
    "ml.etl_purchase_patterns",
    "ml.etl_feedback_analytics",
    "ml.etl_feedback_stream",
    "ml.etl_user_feedback_journey",
    "ml.recommendations_precompute",
    "ml.sentiment_train",
    "ml.predictions_train",
    "orders.replenishment_reminders",
)
CELERY_TASK_ANNOTATIONS = {
    name: {"soft_time_limit": CELERY_SLOW_TASK_SOFT_TIME_LIMIT, "time_limit": CELERY_SLOW_TASK_TIME_LIMIT}
    for name in CELERY_SLOW_TASKS
}
# Keep the project's LOGGING (JSON lines with the task id) on the worker instead of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Beat sends the heartbeat task this often; /health/ready calls beat or the worker stale after
# HEALTH_HEARTBEAT_MAX_AGE seconds without one.
HEALTH_HEARTBEAT_SECONDS = env.int("HEALTH_HEARTBEAT_SECONDS", default=30)
HEALTH_HEARTBEAT_MAX_AGE = env.int("HEALTH_HEARTBEAT_MAX_AGE", default=120)
CELERY_BEAT_SCHEDULE = {
    "health-heartbeat": {
        "task": "skincare.heartbeat",
        "schedule": timedelta(seconds=HEALTH_HEARTBEAT_SECONDS),
        "options": {"expires": HEALTH_HEARTBEAT_SECONDS * 2},
    },
    "outbox-flush": {"task": "skincare.outbox_flush", "schedule": timedelta(minutes=1)},
    "deferred-drain": {"task": "skincare.deferred_drain", "schedule": timedelta(minutes=1)},
    "files-cleanup": {"task": "files.cleanup", "schedule": timedelta(hours=1)},
    "cart-cleanup": {"task": "cart.cleanup_expired", "schedule": timedelta(hours=6)},
    "orders-expire-unpaid": {"task": "orders.expire_unpaid", "schedule": timedelta(minutes=5)},
    "orders-replenishment-reminders": {"task": "orders.replenishment_reminders", "schedule": crontab(hour=9, minute=0)},
    "catalog-flush-product-views": {"task": "catalog.flush_product_views", "schedule": timedelta(minutes=5)},
    "analytics-flush-events": {"task": "ml.flush_events", "schedule": timedelta(minutes=1)},
    "analytics-purge-expired": {"task": "ml.purge_expired", "schedule": timedelta(hours=1)},
    "analytics-etl-daily-metrics": {"task": "ml.etl_daily_metrics", "schedule": crontab(hour=0, minute=30)},
    "analytics-etl-purchase-patterns": {"task": "ml.etl_purchase_patterns", "schedule": crontab(hour=1, minute=0)},
    "analytics-etl-feedback-analytics": {"task": "ml.etl_feedback_analytics", "schedule": crontab(hour=1, minute=30)},
    "analytics-etl-feedback-stream": {"task": "ml.etl_feedback_stream", "schedule": timedelta(minutes=15)},
    "recommendations-precompute": {"task": "ml.recommendations_precompute", "schedule": crontab(hour=2, minute=30)},
    "sentiment-train": {"task": "ml.sentiment_train", "schedule": crontab(hour=1, minute=15)},
    "predictions-train": {"task": "ml.predictions_train", "schedule": crontab(hour=3, minute=0)},
    "skin-analysis-fail-stuck": {"task": "skin_analysis.fail_stuck", "schedule": timedelta(minutes=10)},
    "analytics-etl-user-feedback-journey": {
        "task": "ml.etl_user_feedback_journey",
        "schedule": crontab(hour=2, minute=0),
    },
}

# --- Analytics store --------------------------------------------------------
MONGODB_URL = env.str("MONGODB_URL", default="")
MONGODB_DATABASE = env.str("MONGODB_DATABASE", default="skincare_analytics")
# Buffered events are flushed when the buffer holds this many (and every minute by beat).
ANALYTICS_FLUSH_SIZE = env.int("ANALYTICS_FLUSH_SIZE", default=500)
ANALYTICS_FLUSH_BATCH = env.int("ANALYTICS_FLUSH_BATCH", default=1000)
# Search events reach the buffer in batches per process: this many, or every this many seconds (1: one by one).
ANALYTICS_SEARCH_BATCH = env.int("ANALYTICS_SEARCH_BATCH", default=50)
ANALYTICS_SEARCH_BATCH_SECONDS = env.float("ANALYTICS_SEARCH_BATCH_SECONDS", default=1.0)
# Raw events (user_analytics, search_analytics, recommendation_feedback) expire after this many days.
ANALYTICS_EVENT_RETENTION_DAYS = env.int("ANALYTICS_EVENT_RETENTION_DAYS", default=400)
# Staff reports keep their last good figures this long, served (flagged stale) while the store is down.
ANALYTICS_LAST_GOOD_SECONDS = env.int("ANALYTICS_LAST_GOOD_SECONDS", default=7 * 24 * 3600)

# --- Auth -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["shop.accounts.backends.EmailBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 2)
EMAIL_VERIFICATION_TIMEOUT = env.int("EMAIL_VERIFICATION_TIMEOUT", default=60 * 60 * 24 * 3)
# The 6-digit code sent with the link: short-lived, and locked after this many wrong tries.
EMAIL_VERIFICATION_CODE_TIMEOUT = env.int("EMAIL_VERIFICATION_CODE_TIMEOUT", default=60 * 30)
EMAIL_VERIFICATION_CODE_ATTEMPTS = env.int("EMAIL_VERIFICATION_CODE_ATTEMPTS", default=5)
FRONTEND_URL = env.str("FRONTEND_URL", default="http://localhost:8000")

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=14)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default="") or SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

# Failed logins allowed per (client IP, e-mail) inside the window before 429.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_WINDOW = env.int("LOGIN_FAILURE_WINDOW", default=15 * 60)
# Password-reset requests (API and web) per e-mail and per client IP within the window (seconds).
PASSWORD_RESET_REQUEST_EMAIL_LIMIT = env.int("PASSWORD_RESET_REQUEST_EMAIL_LIMIT", default=3)
PASSWORD_RESET_REQUEST_IP_LIMIT = env.int("PASSWORD_RESET_REQUEST_IP_LIMIT", default=20)
PASSWORD_RESET_REQUEST_WINDOW = env.int("PASSWORD_RESET_REQUEST_WINDOW", default=60 * 60)

# --- REST framework ---------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "shop.accounts.authentication.CachedJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["skincare.api.renderers.EnvelopeJSONRenderer"],
    # DRF's negotiation, skipped when the answer is plain JSON anyway (skincare/api/negotiation.py).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "skincare.api.negotiation.JSONContentNegotiation",
    # JSON bodies only; the upload views accept multipart (and document their binary fields).
    "DEFAULT_PARSER_CLASSES": ["skincare.api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "skincare.api.pagination.PagePagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "skincare.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # The "anon" and "user" rates, counted in one cache round trip (skincare/api/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": ["skincare.api.throttling.DefaultRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="120/min"),
        "user": env.str("THROTTLE_USER", default="600/min"),
        "auth": env.str("THROTTLE_AUTH", default="30/min"),
        "upload": env.str("THROTTLE_UPLOAD", default="60/hour"),
        "analytics": env.str("THROTTLE_ANALYTICS", default="120/min"),
        "order_lookup": env.str("THROTTLE_ORDER_LOOKUP", default="10/min"),
    },
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Skincare shop API",
    "DESCRIPTION": (
        "Versioned REST API for the mobile apps. Every success is "
        '`{"status": "success", "data": ...}` (lists add `meta`); every error is '
        '`{"status": "error", "code", "message", "errors"}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # OpenAPI 3.1: a nullable reference is ``oneOf: [$ref, {type: null}]``, which strict validators
    # and generated clients accept (3.0.3's ``allOf`` + ``nullable`` is rejected for ``null``).
    "OAS_VERSION": "3.1.0",
    "COMPONENT_SPLIT_REQUEST": True,
    # /products/{product_id}/... takes the id or the slug (shop.catalog.converters).
    "PATH_CONVERTER_OVERRIDES": {"product": str},
    # One name per shop choice set wherever it appears (fields named "status"/"type" would
    # otherwise collide and get hash-suffixed names).
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "shop.orders.models.OrderStatus",
        "SizeUnitEnum": "shop.catalog.models.SIZE_UNITS",
        "ShippingMethodEnum": "shop.cart.shipping.CODES",
        "PaymentStatusEnum": "shop.orders.models.PaymentStatus",
        "FulfillmentStatusEnum": "shop.orders.models.FulfillmentStatus",
        "PaymentRecordStatusEnum": "shop.orders.models.PaymentRecordStatus",
        "RefundStatusEnum": "shop.orders.models.RefundStatus",
        "CouponStatusEnum": "shop.coupons.models.CouponStatus",
        "CouponTypeEnum": "shop.coupons.models.CouponType",
        "ProductStatusEnum": "shop.catalog.models.ProductStatus",
        "ProductSkinTypeEnum": "shop.catalog.models.ProductSkinType",
        "StockAdjustmentReasonEnum": "shop.catalog.models.StockAdjustmentReason",
        "GoalMetricEnum": "ml.goals.serializers.METRIC_CHOICES",
        "GoalSourceEnum": "ml.goals.models.GoalSource",
        "PremiumGrantSourceEnum": "shop.subscriptions.models.GrantSource",
        "CompatibilitySourceEnum": "ml.rec_serializers.SOURCES",
        "SkinMetricEnum": "ml.skin_analysis.models.METRICS",
        "FileStatusEnum": "shop.files.models.FileStatus",
        "SkinTypeEnum": "shop.accounts.models.SkinType",
        "SkinConcernEnum": "shop.accounts.models.SkinConcern",
        # Feedback and reviews.
        "ContentTypeEnum": "feedback.models.ContentType",
        "ModerationStatusEnum": "feedback.models.ModerationStatus",
        "ModerationActionEnum": "feedback.serializers.BULK_ACTIONS",
        "NotificationTypeEnum": "feedback.models.NotificationType",
        "NotificationPriorityEnum": "feedback.models.NotificationPriority",
        "PushPlatformEnum": "feedback.models.PushPlatform",
        "ContactMethodEnum": "feedback.models.ContactMethod",
        "ContentStatusEnum": "reviews.models.ContentStatus",
        "UsageFrequencyEnum": "reviews.models.UsageFrequency",
        "VoteTypeEnum": "reviews.models.VoteType",
        "PhotoTypeEnum": "reviews.models.PhotoType",
        "SkinAreaEnum": "reviews.models.SkinArea",
        "LightingEnum": "reviews.models.Lighting",
        "ProgressStatusEnum": "reviews.models.ProgressStatus",
        "ProgressPhotoTypeEnum": "reviews.models.ProgressPhotoType",
        "AngleEnum": "reviews.models.Angle",
        "QuestionCategoryEnum": "reviews.models.QuestionCategory",
        "UrgencyEnum": "reviews.models.Urgency",
        "ImprovementFlagEnum": "reviews.models.IMPROVEMENT_FLAGS",
        "ReportReasonEnum": "reviews.serializers.REPORT_REASONS",
        "CommunityLevelEnum": "reviews.serializers.LEVEL_CHOICES",
        # ``status`` of the paginated envelope (skincare.api.pagination).
        "SuccessStatusEnum": [("success", "success")],
        "CurrencyEnum": "skincare.api.fields.CURRENCY_CHOICES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "skincare.api.schema.envelope_postprocessing_hook",
        "skincare.api.schema_errors.error_codes_postprocessing_hook",
        "skincare.api.schema.product_ref_postprocessing_hook",
    ],
}

# --- Files and storage ------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default="") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default="") or BASE_DIR / "media")
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default="") or BASE_DIR / "private_media")
# The recommender fitted by the nightly run, which per-user refreshes score against (docs/ml.md).
ML_MODEL_DIR = Path(env.str("ML_MODEL_DIR", default="") or BASE_DIR / "var" / "ml_models")
# Purchases and reviews queue a refresh of the shopper's list; with a broker, every shopper pending is refreshed
# by one batch at most this many seconds after the trigger that scheduled it (eager: at once, then no second
# refresh of that shopper within this window). docs/ml.md.
ML_REFRESH_WINDOW_SECONDS = env.int("ML_REFRESH_WINDOW_SECONDS", default=30)
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=DEBUG)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
# Hard ceiling for one request body; per-context limits in the admin are checked first.
UPLOAD_MAX_REQUEST_BYTES = env.int("UPLOAD_MAX_REQUEST_BYTES", default=100 * 1024 * 1024)
TEMPORARY_FILE_TTL = timedelta(hours=env.int("TEMPORARY_FILE_TTL_HOURS", default=24))

# Static files are served by WhiteNoise (gunicorn needs no separate web server for them).
STATICFILES_BACKEND = (
    "django.contrib.staticfiles.storage.StaticFilesStorage"
    if DEBUG
    else "whitenoise.storage.CompressedManifestStaticFilesStorage"
)

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    from botocore.config import Config as BotocoreConfig

    _s3_options = {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
        "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None,
        "file_overwrite": False,
        # botocore waits 60 s to connect and 60 s per read by default; fail sooner on a hung endpoint.
        "client_config": BotocoreConfig(
            connect_timeout=env.float("AWS_S3_CONNECT_TIMEOUT", default=5.0),
            read_timeout=env.float("AWS_S3_READ_TIMEOUT", default=30.0),
        ),
    }
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**_s3_options, "location": "public", "default_acl": "public-read", "querystring_auth": False},
        },
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**_s3_options, "location": "private", "default_acl": "private", "querystring_auth": True},
        },
        "staticfiles": {"BACKEND": STATICFILES_BACKEND},
    }
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        # Private files have no public URL: they are only streamed by the file view.
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
        },
        "staticfiles": {"BACKEND": STATICFILES_BACKEND},
    }

# --- Commerce ---------------------------------------------------------------
# The currencies the shop can sell in: a closed set, so stored orders and the API's ``currency``
# enum never hold anything else. Both have two minor units, as every amount (Decimal, 2 places).
SHOP_CURRENCIES = ("USD", "KHR")
CURRENCY = env.str("CURRENCY", default="USD")
if CURRENCY not in SHOP_CURRENCIES:
    raise ImproperlyConfigured(f"CURRENCY must be one of {', '.join(SHOP_CURRENCIES)}, not {CURRENCY!r}.")
TAX_RATE = Decimal(env.str("TAX_RATE", default="0.10"))  # fraction of the taxable amount
SHIPPING_FLAT_RATE = Decimal(env.str("SHIPPING_FLAT_RATE", default="3.50"))
FREE_SHIPPING_THRESHOLD = Decimal(env.str("FREE_SHIPPING_THRESHOLD", default="50.00"))
# Shipping methods by currency: {currency: {code: {"price": "3.50", "free_over": "50.00" or null}}}, in the
# order shown at checkout (the first is the default). Names are translated in shop/cart/shipping.py.
SHIPPING_METHODS = json.loads(
    env.str(
        "SHIPPING_METHODS",
        default=json.dumps(
            {
                "USD": {
                    "standard": {"price": str(SHIPPING_FLAT_RATE), "free_over": str(FREE_SHIPPING_THRESHOLD)},
                    "express": {"price": "9.00", "free_over": None},
                },
                "KHR": {
                    "standard": {"price": "14000.00", "free_over": "200000.00"},
                    "express": {"price": "36000.00", "free_over": None},
                },
            }
        ),
    )
)
if not SHIPPING_METHODS.get(CURRENCY):
    raise ImproperlyConfigured(f"SHIPPING_METHODS has no method for the shop currency {CURRENCY}.")
CART_TTL_DAYS = env.int("CART_TTL_DAYS", default=7)
# A card order still unpaid (pending or declined, no charge in flight) this long after its last
# charge attempt is cancelled by the ``orders.expire_unpaid`` beat task: stock and coupon use return.
ORDER_UNPAID_TIMEOUT_MINUTES = env.int("ORDER_UNPAID_TIMEOUT_MINUTES", default=60)
# A full refund of an order not yet shipped puts its items back in stock.
ORDER_RESTOCK_ON_REFUND = env_bool("ORDER_RESTOCK_ON_REFUND", default=True)
# Replenishment reminders: ml (or g) used per day by product type ("default" for the others), and how
# many days before the estimated run-out date the "running low?" notification goes out.
REPLENISHMENT_DAILY_USE = json.loads(
    env.str(
        "REPLENISHMENT_DAILY_USE",
        default=json.dumps(
            {
                "default": "1.0",
                "cleanser": "3.0",
                "toner": "2.0",
                "essence": "1.0",
                "serum": "0.6",
                "moisturizer": "1.0",
                "sunscreen": "2.0",
                "eye_care": "0.2",
                "face_oil": "0.3",
                "mist": "2.0",
                "lip_care": "0.1",
                "mask": "1.5",
            }
        ),
    )
)
REPLENISHMENT_REMIND_DAYS_BEFORE = env.int("REPLENISHMENT_REMIND_DAYS_BEFORE", default=5)
# The defaults above are one application a day. Once this many approved reviews of a product say how
# often they use it, their mean applications a day scales the default for that product.
REPLENISHMENT_MIN_USAGE_REPORTS = env.int("REPLENISHMENT_MIN_USAGE_REPORTS", default=3)
PAYMENT_PROVIDER = env.str("PAYMENT_PROVIDER", default="test")
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")

# --- Community: moderation, notifications, push ------------------------------------
MODERATION_AUTO_APPROVE = env_bool("MODERATION_AUTO_APPROVE", default=True)
MODERATION_AUTO_APPROVE_MAX_SCORE = env.str("MODERATION_AUTO_APPROVE_MAX_SCORE", default="0.30")
MODERATION_SPAM_THRESHOLD = env.str("MODERATION_SPAM_THRESHOLD", default="0.70")
MODERATION_TOXICITY_THRESHOLD = env.str("MODERATION_TOXICITY_THRESHOLD", default="0.50")
MODERATION_FLAG_MEDICAL_CLAIMS = env_bool("MODERATION_FLAG_MEDICAL_CLAIMS", default=True)
MODERATION_AUTO_APPROVE_PHOTOS = env_bool("MODERATION_AUTO_APPROVE_PHOTOS", default=False)
MODERATION_REPORTS_TO_ESCALATE = env.int("MODERATION_REPORTS_TO_ESCALATE", default=3)
WISHLIST_NOTIFY_COOLDOWN_HOURS = env.int("WISHLIST_NOTIFY_COOLDOWN_HOURS", default=24)
REVIEWS_MAX_MEDIA_PER_REVIEW = env.int("REVIEWS_MAX_MEDIA_PER_REVIEW", default=5)
# Push notifications go through FCM HTTP v1 when a Firebase service account is set (its JSON key as a
# file path or inline); otherwise push is a no-op. The project id defaults to the account's.
FCM_CREDENTIALS_FILE = env.str("FCM_CREDENTIALS_FILE", default="")
FCM_CREDENTIALS_JSON = env.str("FCM_CREDENTIALS_JSON", default="")
FCM_PROJECT_ID = env.str("FCM_PROJECT_ID", default="")
FCM_API_URL = env.str("FCM_API_URL", default="https://fcm.googleapis.com")
# Seconds each FCM request (token and send) may take; a batch stops at the first one that times out.
PUSH_TIMEOUT = env.float("PUSH_TIMEOUT", default=5.0)

# --- Subscriptions: plan limits (skin scans per calendar month, questions per UTC day) ---------
SUBSCRIPTION_FREE_MONTHLY_SCANS = env.int("SUBSCRIPTION_FREE_MONTHLY_SCANS", default=3)
SUBSCRIPTION_FREE_DAILY_QUESTIONS = env.int("SUBSCRIPTION_FREE_DAILY_QUESTIONS", default=3)
SUBSCRIPTION_PREMIUM_MONTHLY_SCANS = env.int("SUBSCRIPTION_PREMIUM_MONTHLY_SCANS", default=60)
SUBSCRIPTION_PREMIUM_DAILY_QUESTIONS = env.int("SUBSCRIPTION_PREMIUM_DAILY_QUESTIONS", default=30)
# Days of premium one unit of a subscription product buys.
SUBSCRIPTION_PREMIUM_DAYS = env.int("SUBSCRIPTION_PREMIUM_DAYS", default=30)

# --- E-mail -----------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
# Seconds an SMTP connect or reply may take before the send fails (and the task retries later), so a
# hung mail server cannot hold a worker.
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=10.0)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Skincare Shop <shop@example.com>")

# --- I18n -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("km", "Khmer")]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
# Interface strings; compiled catalogs (.mo) are committed next to their .po (``make compilemessages``).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

# --- Security ---------------------------------------------------------------
# Content-Security-Policy on every response (django-csp). Pages, the admin and Swagger UI load
# scripts only from this origin (Swagger UI's init script is a separate file: the split view in
# skincare/urls.py); styles may be inline (Swagger UI and the admin use style attributes).
_MEDIA_ORIGINS = []
if MEDIA_URL.startswith(("https://", "http://")):
    _MEDIA_ORIGINS.append("/".join(MEDIA_URL.split("/", 3)[:3]))
if AWS_STORAGE_BUCKET_NAME:
    _MEDIA_ORIGINS.append(
        f"https://{_s3_options['custom_domain']}" if _s3_options["custom_domain"] else "https://*.amazonaws.com"
    )
    if _s3_options["endpoint_url"]:
        _MEDIA_ORIGINS.append("/".join(_s3_options["endpoint_url"].split("/", 3)[:3]))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", *_MEDIA_ORIGINS],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

if not DEBUG:
    # HTTPS only. Behind a TLS-terminating proxy, name the header it sets (and overwrites) to
    # "https"; SECURE_PROXY_SSL_HEADER= (empty) when clients reach gunicorn directly.
    _proxy_ssl_header = env.str("SECURE_PROXY_SSL_HEADER", default="X-Forwarded-Proto")
    if _proxy_ssl_header:
        SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^health(/|$)"]  # load balancer and container probes speak plain HTTP
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True

# --- Observability (docs/observability.md) -----------------------------------
# json: one JSON object per line (for log shippers); text: for a terminal. Every line carries the
# request id (X-Request-ID), the user id and the route, or the task id and name in a worker.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
LOGGING = logging_config(log_format=LOG_FORMAT, level=env.str("LOG_LEVEL", default="INFO"))
# One line per request (logger skincare.request): method, route, status, duration_ms, db_queries.
# It replaces gunicorn's access log; about 2/3 of the middleware's cost (docs/observability.md).
LOG_REQUESTS = env_bool("LOG_REQUESTS", default=True)
# /metrics (Prometheus) answers only a request with "Authorization: Bearer <METRICS_TOKEN>" or from
# an address in METRICS_ALLOWED_IPS (addresses or networks, comma-separated); 404 to anyone else.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])

# Photo skin analysis (ml/skin_analysis, docs/skin-analysis.md). With no key the built-in analyzer
# and the template feedback run in-process; a key switches on the external service, with the
# built-in one as the fallback on any error or timeout.
SKIN_ANALYSIS_API_URL = env.str("SKIN_ANALYSIS_API_URL", default="")
SKIN_ANALYSIS_API_KEY = env.str("SKIN_ANALYSIS_API_KEY", default="")
SKIN_ANALYSIS_API_TIMEOUT = env.float("SKIN_ANALYSIS_API_TIMEOUT", default=10.0)
# A scan still pending this long after its upload lost its task (a worker died): beat fails it as
# ``timeout`` every 10 minutes (never counted against the plan).
SKIN_ANALYSIS_STUCK_MINUTES = env.int("SKIN_ANALYSIS_STUCK_MINUTES", default=30)
SKIN_FEEDBACK_LLM_URL = env.str("SKIN_FEEDBACK_LLM_URL", default="https://api.openai.com/v1")
SKIN_FEEDBACK_LLM_API_KEY = env.str("SKIN_FEEDBACK_LLM_API_KEY", default="")
SKIN_FEEDBACK_LLM_MODEL = env.str("SKIN_FEEDBACK_LLM_MODEL", default="gpt-4o-mini")
SKIN_FEEDBACK_LLM_TIMEOUT = env.float("SKIN_FEEDBACK_LLM_TIMEOUT", default=15.0)
