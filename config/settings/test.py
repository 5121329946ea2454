"""Test settings: only speed-ups. Celery is a real worker (never eager), Redis and the database are real."""

from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
