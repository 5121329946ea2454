"""Effects that announce a commit to others (a live push, a task handed to Celery), held back while commits do not
wait for the disk.

The webhook inbox applies events with asynchronous commits (`channels_whatsapp/inbox.py`): a crash of PostgreSQL
can lose their last milliseconds, to be applied again from the stored deliveries under new ids. What the workspace
was shown, or a task was given, in those milliseconds would name rows that never were: a 100,000-event fault run
showed every agent a message that did not exist and hid the one that replaced it. So inside
`effects_held_until_durable` the pushes and task hand-overs wait, and go once the caller says a synchronous commit
has put everything before it on disk (WAL is flushed in order). If it never says so, they are dropped: the
workspace catches up over HTTP, and each kind of task has a sweep that finds its work.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

_held: ContextVar[list[Callable[[], object]] | None] = ContextVar("effects_held_until_durable", default=None)


def held_until_durable(effect: Callable[[], object]) -> bool:
    """True when a hold is open and took the effect: its caller must not run it now."""
    held = _held.get()
    if held is None:
        return False
    held.append(effect)
    return True


@dataclass
class HeldEffects:
    effects: list[Callable[[], object]] = field(default_factory=list)
    durable: bool = False

    def made_durable(self) -> None:
        """A synchronous commit has returned since the last held effect's commit."""
        self.durable = True


@contextmanager
def effects_held_until_durable() -> Iterator[HeldEffects]:
    """Holds the effects announced inside it; on leaving, runs them if `made_durable` was called, else drops them."""
    held = HeldEffects()
    token = _held.set(held.effects)
    try:
        yield held
    finally:
        _held.reset(token)
        if held.durable:
            for effect in held.effects:
                effect()  # each is a hint or an enqueue that logs its own failure
        elif held.effects:
            logger.warning("dropped %s effects of commits that may not be on disk", len(held.effects))
