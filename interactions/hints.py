"""Side effects that are only hints (a cache key, a typing indicator, a live push): the record never hangs on them.

Each runs inside `only_a_hint`: when its service (Redis) is down, one log line says what was
skipped, and the action that produced it still succeeds. Clients catch up over HTTP; a lost hint costs nothing.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

logger = logging.getLogger(__name__)


@contextmanager
def only_a_hint(what: str) -> Iterator[None]:
    try:
        yield
    except Exception as problem:
        logger.warning("%s skipped: %r", what, problem)
