"""The key that encrypts secrets at rest when none is configured: only for the embedded (development) settings."""

import base64
import hashlib


def development_encryption_key(secret_key: str) -> str:
    """A Fernet key derived from SECRET_KEY, so `make demo` and the tests work with nothing set. Production
    settings never call this: they require FIELD_ENCRYPTION_KEYS, and `check --deploy` refuses a derived key."""
    digest = hashlib.sha256(b"whatsdesk field encryption\x00" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()
