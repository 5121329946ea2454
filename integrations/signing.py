"""`X-WhatsDesk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (receivers reject an old `t`
to stop replays). The README shows how a receiver checks it, and the tests run that code."""

import hashlib
import hmac


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"
