"""Meta signs every webhook POST: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`.

The HMAC is computed over the raw bytes, before any JSON parsing, and compared in constant time.
The key is the app secret, never the verify token.
"""

import hashlib
import hmac
from collections.abc import Mapping

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_DIGEST_HEX_LENGTH = 2 * hashlib.sha256().digest_size


class SignatureRefused(Exception):
    """The delivery is not signed by any business number we serve; the message says why, for the 401."""


class NoSecretMatches(SignatureRefused):
    """A well-formed signature that no known app secret made: a number added a moment ago might have."""


def _digest(*, body: bytes, app_secret: str) -> bytes:
    return hmac.new(app_secret.encode(), body, hashlib.sha256).digest()


def signature_header_value(*, body: bytes, app_secret: str) -> str:
    return _PREFIX + _digest(body=body, app_secret=app_secret).hex()


def _claimed_digest(header_value: str | None) -> bytes:
    """The digest the header claims, as bytes; any header Meta would not send is refused here, before any HMAC.

    The header reaches us as text of any characters (non-ASCII, several values joined by commas), and comparing
    such text with `hmac.compare_digest` raises instead of answering, so only the exact form is let through.
    """
    if not header_value:
        raise SignatureRefused(f"no {SIGNATURE_HEADER} header")
    if "," in header_value:
        raise SignatureRefused(f"several {SIGNATURE_HEADER} values")
    if not header_value.startswith(_PREFIX):
        raise SignatureRefused(f"{SIGNATURE_HEADER} is not a {_PREFIX} signature")
    hex_digest = header_value.removeprefix(_PREFIX)
    if len(hex_digest) != _DIGEST_HEX_LENGTH or not _HEX_DIGITS.issuperset(hex_digest):
        raise SignatureRefused(f"{SIGNATURE_HEADER} is not {_DIGEST_HEX_LENGTH} hexadecimal digits")
    return bytes.fromhex(hex_digest)


def signing_accounts(*, body: bytes, header_value: str | None, app_secrets: Mapping[str, str]) -> frozenset[str]:
    """The accounts (business numbers) whose app secret signed the body; raises SignatureRefused if none did.

    Several business numbers may belong to different Meta apps, and which one sent the delivery is only known
    after parsing, so each secret is tried. The answer says which, because a delivery proves only that: an
    event it carries for any other number is not to be believed (one app's secret must not speak for another).
    Numbers of the same app share its secret, and all of them are named.
    """
    claimed = _claimed_digest(header_value)
    digests = {secret: _digest(body=body, app_secret=secret) for secret in set(app_secrets.values()) if secret}
    signed = frozenset(
        account for account, secret in app_secrets.items() if secret and hmac.compare_digest(digests[secret], claimed)
    )
    if not signed:
        raise NoSecretMatches("the signature matches no business number's app secret")
    return signed
