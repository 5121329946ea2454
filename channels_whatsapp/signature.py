"""Meta signs every webhook POST: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`.

The HMAC is computed over the raw bytes, before any JSON parsing, and compared in constant time.
The key is the app secret, never the verify token.
"""

import hashlib
import hmac
from collections.abc import Iterable

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def signature_header_value(*, body: bytes, app_secret: str) -> str:
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return _PREFIX + digest


def signature_is_valid(*, body: bytes, header_value: str | None, app_secrets: Iterable[str]) -> bool:
    """True if the header matches the body under any of the configured app secrets.

    Several business numbers may belong to different Meta apps; which one sent the delivery is only
    known after parsing, and nothing is parsed before the signature checks out, so each secret is tried.
    """
    if not header_value or not header_value.startswith(_PREFIX):
        return False
    matched = False
    for secret in app_secrets:
        if secret and hmac.compare_digest(signature_header_value(body=body, app_secret=secret), header_value):
            matched = True
    return matched
