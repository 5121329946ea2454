"""Identifiers shaped like Meta's, so the app's columns and logs see realistic values."""

import base64
import secrets
import string

_ALPHANUMERIC = string.ascii_letters + string.digits


def new_wamid(*, wa_id: str, outbound: bool) -> str:
    """A wamid is base64 of a small protobuf naming the user and a random message key, like Meta's."""
    direction = b"\x11" if outbound else b"\x12"
    key = secrets.token_hex(10).upper().encode()
    raw = b"\x1c\x18" + bytes([len(wa_id)]) + wa_id.encode() + b"\x15\x02\x00" + direction + b"\x18\x14" + key
    return "wamid." + base64.b64encode(raw + b"\x00").decode()


def new_fbtrace_id() -> str:
    return "A" + "".join(secrets.choice(_ALPHANUMERIC) for _ in range(22))


def new_conversation_id() -> str:
    return secrets.token_hex(16)
