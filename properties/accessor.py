"""The one way a property is read: `current(PROPERTY)`, typed by the declaration.

Each process keeps a snapshot of the stored values. Reading one costs nothing most of the time: at most every
VERSION_CHECK_SECONDS the snapshot's version is compared with the one in the shared cache (Redis, in every setup,
the demo's included), and the table (a handful of rows) is read again only when the version changed, when it is
older than REREAD_SECONDS, or when the cache cannot be read. A change is so seen by every web process and worker
within about VERSION_CHECK_SECONDS; a failing cache only means reading the table each time instead, and a failing
database leaves the last values read (or the defaults) in use: reading a property never raises for either.
"""

import logging
import math
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection, transaction

from properties.models import StoredProperty
from properties.registry import Property, registered_property
from properties.validation import InvalidPropertyValue, clean_value

logger = logging.getLogger(__name__)

T = TypeVar("T")

VERSION_KEY = "properties:version"
# How long a process takes its snapshot as it is without asking the cache: the delay before a change is seen.
VERSION_CHECK_SECONDS = 0.5
# How long a snapshot is kept whatever the version says: a version change that was lost (the cache down when the
# change committed) only delays the change this much.
REREAD_SECONDS = 30.0


@dataclass(slots=True)
class _Snapshot:
    values: dict[str, Any] = field(default_factory=dict)  # key -> stored JSON value, as read
    version: str = ""
    read_at: float = -math.inf  # time.monotonic() of the last table read
    checked_at: float = -math.inf  # of the last version check
    # A change made in a transaction still open: a read inside a transaction may see it and it may roll back.
    change_pending: bool = False


_snapshot = _Snapshot()
_lock = threading.Lock()  # daphne runs sync code in threads: one refresh at a time


def current(declared: Property[T]) -> T:
    """The property's value: the stored one if it is (still) valid for the declaration, else the default."""
    stored = _stored_values()
    if declared.key not in stored:
        return declared.default
    try:
        return clean_value(declared, stored[declared.key])
    except InvalidPropertyValue as problem:
        # Stored under an older declaration (a maximum lowered since): the default is safe, the admin page says so.
        logger.warning("system property %s: stored value ignored (%s)", declared.key, problem)
        return declared.default


def current_by_key(key: str) -> Any:
    return current(registered_property(key))


def read_snapshot() -> None:
    """Reads the stored values now (a test does, so that its query counts hold only what it measures)."""
    _stored_values()


def stored_value(key: str) -> tuple[bool, Any]:
    """(whether a value is stored, that value as stored), for the admin page."""
    stored = _stored_values()
    return key in stored, stored.get(key)


def _stored_values() -> dict[str, Any]:
    now = time.monotonic()
    if now - _snapshot.checked_at < VERSION_CHECK_SECONDS:
        return _snapshot.values
    with _lock:
        if now - _snapshot.checked_at < VERSION_CHECK_SECONDS:
            return _snapshot.values
        version = _cached_version()
        if version and version == _snapshot.version and now - _snapshot.read_at < REREAD_SECONDS:
            _snapshot.checked_at = now
            return _snapshot.values
        values = _read_table()
        if values is None:  # the database failed: keep what we had, try again after the next check interval
            _snapshot.checked_at = now
            return _snapshot.values
        # Read inside a transaction after a change, the rows may be that change, which could still roll back: such
        # a snapshot is used until the next check only. Any other read is as good as one in autocommit.
        if not connection.in_atomic_block:
            _snapshot.change_pending = False
        settled = not (connection.in_atomic_block and _snapshot.change_pending)
        _snapshot.values = values
        _snapshot.version = version if settled else ""
        _snapshot.read_at = now if settled else -math.inf
        _snapshot.checked_at = now
        return values


def _cached_version() -> str:
    """ "" when the cache cannot be read. A missing version (a new cache, an eviction) becomes a new one, so no
    process takes an old snapshot for it."""
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, None)
            version = cache.get(VERSION_KEY)
        return version or ""
    except Exception as problem:
        logger.warning("system properties: the cache cannot be read (%r); reading the database", problem)
        return ""


def _read_table() -> dict[str, Any] | None:
    try:
        with transaction.atomic():  # a savepoint inside a caller's transaction, so a failure leaves it usable
            return dict(StoredProperty.objects.values_list("key", "value"))
    except Exception as problem:
        logger.warning("system properties: the database cannot be read (%r); using the values read before", problem)
        return None


def properties_changed() -> None:
    """After a change: this process reads the table at its next read; every other one once the change commits."""
    _snapshot.checked_at = _snapshot.read_at = -math.inf
    _snapshot.version = ""
    _snapshot.change_pending = True

    def new_version() -> None:
        try:
            cache.set(VERSION_KEY, uuid.uuid4().hex, None)
        except Exception as problem:
            logger.warning("system properties: the new version could not be announced (%r)", problem)

    transaction.on_commit(new_version)


def forget_snapshot() -> None:
    """For tests, before each: this process and every other (the live web server and worker) read the table again,
    so the values a previous test stored, then flushed or rolled back, do not linger."""
    global _snapshot
    _snapshot = _Snapshot()
    try:
        cache.delete(VERSION_KEY)
    except Exception as problem:
        logger.warning("system properties: the version could not be reset (%r)", problem)
