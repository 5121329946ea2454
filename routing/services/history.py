"""The routing history: every change of a work item recorded with its time and actor, in the change's transaction."""

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser

from routing.models import Queue, WorkItem, WorkItemEvent


def record_work_item_event(
    *,
    work_item: WorkItem,
    kind: str,
    actor: AbstractBaseUser | None = None,
    agent: AbstractBaseUser | None = None,
    queue: Queue | None = None,
    reason: str = "",
    note: str = "",
) -> WorkItemEvent:
    return WorkItemEvent.objects.create(
        work_item=work_item,
        interaction_id=work_item.interaction_id,
        kind=kind,
        actor=actor,
        agent=agent,
        queue=queue or work_item.queue,
        reason=reason,
        note=note,
    )


def record_work_item_events(work_items: Sequence[WorkItem], *, kind: str, agent_ids: Sequence[int]) -> None:
    """The same change of several items (a round's offers, an agent's offers withdrawn), each with its agent, in one
    insert: a round's cost does not grow with the offers it makes."""
    WorkItemEvent.objects.bulk_create(
        WorkItemEvent(
            work_item=item, interaction_id=item.interaction_id, kind=kind, agent_id=agent_id, queue_id=item.queue_id
        )
        for item, agent_id in zip(work_items, agent_ids, strict=True)
    )
