"""Test settings: only speed-ups and isolation. Celery is a real worker (never eager); Redis and the database are real.

Without REDIS_URL the tests use the embedded Redis on 127.0.0.1:$EMBEDDED_REDIS_TEST_PORT (6398), which the session
fixture in conftest.py starts and stops; importing these settings starts nothing. Tests use Redis database 9, and
every key a test run makes (broker queues, channel layer, cache, pacing) carries the run's own prefix, so a
demo or another test run on the same server never picks up its tasks.
"""

import os
import socket
from urllib.parse import urlsplit, urlunsplit

from config.backing_services import live_updates_settings
from config.env import BASE_DIR, env
from config.settings.base import *  # noqa: F403
from config.settings.base import CELERY_BROKER_TRANSPORT_OPTIONS, DATABASES, INSTALLED_APPS, REST_FRAMEWORK

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests send bursts and SQLite reuses rolled-back user ids, so throttles would leak between tests; the throttling
# tests set their own rates (interactions/tests/test_throttling.py).
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": None, "anon": None}}
# Inbound listeners in every test process, as routing and the virtual agent will register theirs.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.listener_probes"]

# The port the session fixture starts the embedded Redis on, or None when REDIS_URL names a server.
EMBEDDED_REDIS_TEST_PORT = None if "REDIS_URL" in env.ENVIRON else env.int("EMBEDDED_REDIS_TEST_PORT", default=6398)
REDIS_URL = urlunsplit(
    urlsplit(env("REDIS_URL", default=f"redis://127.0.0.1:{EMBEDDED_REDIS_TEST_PORT}"))._replace(path="/9")
)
TEST_RUN_ID = env("TEST_RUN_ID", default=str(os.getpid()))  # handed to the processes a run starts
REDIS_KEY_PREFIX = f"test-{TEST_RUN_ID}:"
LIVE_UPDATES = live_updates_settings(redis_url=REDIS_URL, prefix=REDIS_KEY_PREFIX)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": REDIS_KEY_PREFIX,
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": REDIS_KEY_PREFIX}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so the processes the tests start share it; one per run, so runs never collide.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-db-{os.getpid()}.sqlite3")}
else:
    # A commit returns before its WAL reaches the disk: what other connections see, and when, is unchanged (only a
    # crash could lose the last commits); every transactional test's flush and the live processes commit often.
    options = f"{DATABASES['default']['OPTIONS'].get('options', '')} -c synchronous_commit=off".strip()
    DATABASES["default"]["OPTIONS"] = {**DATABASES["default"]["OPTIONS"], "options": options}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The emulator's port is chosen once, by the test run, and handed to the processes it starts.
WHATSAPP_GRAPH_API_URL = env("WHATSAPP_GRAPH_API_URL", default=f"http://127.0.0.1:{_free_port()}")
WHATSAPP_ACCESS_TOKEN = "test-access-token"
WHATSAPP_APP_SECRET = "test-app-secret"
WHATSAPP_VERIFY_TOKEN = "test-verify-token"
WHATSAPP_PHONE_NUMBER_ID = "100200300400500"
WHATSAPP_DISPLAY_PHONE_NUMBER = "+1 555 000 1234"
WHATSAPP_WABA_ID = "900800700600500"
WHATSAPP_REQUEST_TIMEOUT_SECONDS = 5.0
# Tests change business numbers inside transactions they roll back: the webhook reads them on every delivery
# unless a test starts a server of its own with a cache.
WHATSAPP_SIGNING_SECRETS_CACHE_SECONDS = env.float("WHATSAPP_SIGNING_SECRETS_CACHE_SECONDS", default=0)
MEDIA_ROOT = str(BASE_DIR / "var" / "test-media" / TEST_RUN_ID)  # shared with the processes a run starts
# No read of the webhook subscriptions at a moment of the clock's choosing, inside a test that counts its queries;
# the test of that read sets it back.
WEBHOOK_SUBSCRIPTIONS_REREAD_SECONDS = 24 * 3600.0
# Channel health: read afresh on every request, so a test sees the change it just made.
CHANNEL_HEALTH_CACHE_SECONDS = env.float("CHANNEL_HEALTH_CACHE_SECONDS", default=0)
CHANNEL_HEALTH_POLL_SECONDS = 1.0
