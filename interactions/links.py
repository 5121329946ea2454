"""The link a message's preview card is for, and the key its preview is stored under (one row per address)."""

import hashlib
import re

# The same links the workspace makes clickable (static/workspace/dom.js).
_URL = re.compile(r"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.IGNORECASE)


def first_link(text: str) -> str | None:
    found = _URL.search(text or "")
    return found.group(0)[:2048] if found else None


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()
