"""Transfer: an agent (or a manager) hands a conversation to another agent or queue, with a note for whoever
takes it.

As in ServiceNow, the conversation leaves the transferring agent at once: it becomes a new work item, queued in
the target queue (for an agent, their queue), carrying the note and, for an agent, that agent as the one offered
first. The receiver's offer shows the note and who transferred it; accepting assigns it to them like any offer.
Nobody is left holding a conversation they have handed on, and if the agent rejects the offer or lets it time out,
the next agent of the queue is offered it instead of the customer waiting on one person. The customer gets the
queue's transfer message (or its out-of-hours message when it is closed). The routing history records
`transferred` with who, to whom, from whom and the note. The new item is queued from now (its place in line, the
time in queue reports count), but the customer's wait for a person (`waiting_since`, a supervisor's longest wait)
goes on from when they started waiting in this conversation: a transfer is the desk's step, not a new request.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from interactions.live import broadcast_on_commit, interaction_changed
from interactions.models import Interaction
from interactions.people import person_name
from interactions.roles import may_send_messages, may_supervise
from interactions.services.outbound import ActionRefused
from interactions.services.timeline import lock_interaction
from routing.audience import queues_served_by
from routing.models import (
    ACTIVE_WORK_ITEM_STATES,
    AgentProfile,
    Presence,
    Queue,
    WorkItem,
    WorkItemEventKind,
    WorkItemState,
)
from routing.services.history import record_work_item_event
from routing.services.queueing import active_work_item, announce_the_wait, first_message_text, place_in_queue


class TransferInvalid(ActionRefused):
    """The request itself is wrong (no target, two, someone who is no agent): 400."""


class TransferNotAllowed(ActionRefused):
    """The user may not transfer this conversation: 403."""


def may_transfer(user: AbstractBaseUser, interaction: Interaction) -> bool:
    """The agent who has the conversation, or a manager."""
    holds_it = interaction.assigned_to_id is not None and interaction.assigned_to_id == user.pk
    return may_supervise(user) or (holds_it and may_send_messages(user))


def _queue_for_agent(interaction: Interaction, agent: AbstractBaseUser) -> Queue:
    """The conversation's own queue if the agent serves it, else the first queue they serve, else its own or the
    default: the item waits where the agent is offered work."""
    served = list(queues_served_by(agent))
    current = Queue.objects.filter(key=interaction.queue).first() if interaction.queue else None
    if current is not None and current in served:
        return current
    queue = served[0] if served else current or Queue.objects.filter(is_default=True).first()
    if queue is None:
        raise ActionRefused("No queue is set up, so there is nowhere to transfer to; an admin adds queues first.")
    return queue


def _check_receiving_agent(interaction: Interaction, agent: AbstractBaseUser) -> None:
    name = person_name(agent)
    if not agent.is_active or not may_send_messages(agent):
        raise TransferInvalid(f"{name} is not an agent.")
    if agent.pk == interaction.assigned_to_id:
        raise TransferInvalid(f"{name} has this conversation already.")
    profile = AgentProfile.objects.filter(user=agent).first()
    presence = profile.presence if profile is not None else Presence.OFFLINE
    if presence != Presence.AVAILABLE:
        reason = f" ({profile.away_reason})" if profile is not None and profile.away_reason else ""
        raise ActionRefused(
            f"{name} is {Presence(presence).label.lower()}{reason}; transfer to someone available, or to a queue."
        )


def _lock_waiting_item(interaction: Interaction) -> WorkItem | None:
    """The interaction's queued or offered item, locked before the interaction (assignment's lock order)."""
    seen = active_work_item(interaction)
    if seen is None:
        return None
    return (
        WorkItem.objects.select_for_update(of=("self",))
        .select_related("queue", "offered_to")
        .filter(pk=seen.pk, state__in=ACTIVE_WORK_ITEM_STATES)
        .first()
    )


def _withdraw_waiting_item(active: WorkItem, *, by: AbstractBaseUser) -> None:
    """A manager moves a conversation that is still waiting: its queued item ends, the transfer's replaces it.
    One on offer is left to its agent's answer (or timeout): taking it from under them would race the accept."""
    if active.state == WorkItemState.OFFERED:
        name = person_name(active.offered_to) if active.offered_to else "an agent"
        raise ActionRefused(
            f"It is being offered to {name} right now; transfer it once they have answered or the offer has timed out."
        )
    active.state = WorkItemState.CANCELLED
    active.ended_at = timezone.now()
    active.save(update_fields=["state", "ended_at"])
    record_work_item_event(work_item=active, kind=WorkItemEventKind.CANCELLED, actor=by, reason="Transferred")


@transaction.atomic
def transfer_interaction(
    *,
    interaction: Interaction,
    by: AbstractBaseUser,
    to_agent: AbstractBaseUser | None = None,
    to_queue: Queue | None = None,
    note: str = "",
) -> WorkItem:
    """Returns the new work item, queued and about to be offered (see the module's docstring)."""
    if (to_agent is None) == (to_queue is None):
        raise TransferInvalid("Transfer to an agent or to a queue: name exactly one of them.")
    active = _lock_waiting_item(interaction)
    interaction = lock_interaction(interaction.pk)
    current = active_work_item(interaction)
    if (current and current.pk) != (active and active.pk):
        raise ActionRefused("The conversation was queued, taken or moved meanwhile; look at it again and retry.")
    if not may_transfer(by, interaction):
        raise TransferNotAllowed("Only the agent who has this conversation, or a manager, may transfer it.")
    if not interaction.is_open:
        raise ActionRefused(f"Interaction {interaction.number} is closed.")
    if to_agent is not None:
        _check_receiving_agent(interaction, to_agent)
        queue = _queue_for_agent(interaction, to_agent)
    else:
        queue = to_queue
    if active is not None:
        _withdraw_waiting_item(active, by=by)
    earlier = active or interaction.work_items.order_by("-created_at", "-pk").first()
    now = timezone.now()
    work_item = place_in_queue(
        interaction=interaction,
        queue=queue,
        now=now,
        waiting_since=earlier.waiting_since if earlier is not None else now,
        summary=earlier.summary if earlier is not None else first_message_text(interaction),
        handoff_topic=earlier.handoff_topic if earlier is not None else "",
        preferred_agent=to_agent,
        transfer_note=note.strip(),
    )
    holder = interaction.assigned_to
    record_work_item_event(
        work_item=work_item,
        kind=WorkItemEventKind.TRANSFERRED,
        actor=by,
        agent=to_agent,
        queue=queue,
        reason=f"From {person_name(holder)}" if holder is not None else "",
        note=work_item.transfer_note,
    )
    changed = ["queue"] if interaction.queue != queue.key else []
    interaction.queue = queue.key
    if holder is not None:
        interaction.assigned_to = None
        changed.append("assigned_to")
    if changed:
        interaction.save(update_fields=changed)
        broadcast_on_commit(interaction_changed(interaction))
    announce_the_wait(interaction=interaction, work_item=work_item, now=now, greeting=queue.transfer_message)
    return work_item
