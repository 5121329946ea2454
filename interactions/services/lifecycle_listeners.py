"""How routing hears that an interaction changed state or agent, without the core importing it.

Routing registers a callback at start-up (`AppConfig.ready`): it cancels the work item of a closed interaction and
offers work to an agent whose load fell. Every path that changes an interaction's state or assignee announces it
inside its transaction; the callbacks run once it commits, each on its own, so one failing (logged) neither undoes
the change nor keeps the others from running. A callback whose work must survive a crash enqueues its own task.
An agent a conversation is taken from hears `audience.changed` (their workspace reads its list again).
"""

import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db import transaction

from interactions.live import audience_changed_on_commit
from interactions.models import Interaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LifecycleChange:
    """What an interaction was before the change the callback hears of; the interaction is as committed."""

    previous_state: str
    previous_assignee_id: int | None


LifecycleListener = Callable[[Interaction, str, int | None], None]
_lifecycle_listeners: list[LifecycleListener] = []
_lifecycle_recorders: list[LifecycleListener] = []


def register_lifecycle_listener(callback: LifecycleListener) -> None:
    """`callback(interaction, previous_state, previous_assignee_id)` after every committed change of the
    interaction's state or assigned agent. Registering the same callback twice registers it once."""
    if callback not in _lifecycle_listeners:
        _lifecycle_listeners.append(callback)


def register_lifecycle_recorder(callback: LifecycleListener) -> None:
    """Like a listener, but called at once, inside the changing transaction, for what must commit with the change
    or not at all (an outbox row). It must be quick and must not fail the change: it catches its own errors."""
    if callback not in _lifecycle_recorders:
        _lifecycle_recorders.append(callback)


def unregister_lifecycle_listener(callback: LifecycleListener) -> None:
    if callback in _lifecycle_listeners:
        _lifecycle_listeners.remove(callback)


def announce_lifecycle_change(interaction: Interaction, *, before: LifecycleChange) -> None:
    """Inside the transaction that changed `interaction`: its listeners hear of it once it commits; nothing when
    neither its state nor its agent changed."""
    if interaction.state == before.previous_state and interaction.assigned_to_id == before.previous_assignee_id:
        return
    if before.previous_assignee_id not in (None, interaction.assigned_to_id):
        # Its pushes now go to its new audience, which may leave the previous agent out: their workspace reads its
        # list again rather than keep (and answer in) a conversation it no longer hears of.
        audience_changed_on_commit(user_ids=[before.previous_assignee_id])
    for recorder in list(_lifecycle_recorders):
        recorder(interaction, before.previous_state, before.previous_assignee_id)
    changed = copy.copy(interaction)  # as it is now: a later change in the same transaction announces itself
    for listener in list(_lifecycle_listeners):
        transaction.on_commit(partial(_run, listener, changed, before.previous_state, before.previous_assignee_id))


def lifecycle_snapshot(interaction: Interaction) -> LifecycleChange:
    """What to pass to `announce_lifecycle_change` once the interaction has changed."""
    return LifecycleChange(previous_state=interaction.state, previous_assignee_id=interaction.assigned_to_id)


def _run(listener: LifecycleListener, interaction: Interaction, previous_state: str, previous_assignee_id) -> None:
    try:
        listener(interaction, previous_state, previous_assignee_id)
    except Exception:
        name = getattr(listener, "__qualname__", repr(listener))
        logger.exception("lifecycle listener %s failed for interaction %s", name, interaction.pk)
