"""Who sees which conversation once routing runs the desk (registered with the core in `RoutingConfig.ready`).

An agent sees the interactions assigned to them, those offered to them, the earlier conversations of the customers
whose open one they have in hand, and every interaction of a queue they serve (as one of its agents or through one
of its groups) when that queue lets its agents see each other's conversations; never anyone else's. Managers and
admins see all of them (the core's `supervisors`).

The live groups follow the same rule: an interaction's audience is `user.<assignee>`, `user.<offered to>` and,
in such a queue, `queue.<key>`; an agent's sockets are in `user.<id>` and the `queue.<key>` of such queues they
serve. Offers and assignments change an interaction's audience, read when its events are published, not an
agent's groups; what changes an agent's groups (a queue's agents, groups or setting, the agent's own groups)
announces it with `audience_changed_on_commit(user_ids=…)` so their sockets work them out again.
"""

from collections.abc import Collection

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from interactions.audience import queue_group, user_group
from interactions.models import OPEN_STATES, Interaction
from routing.models import Queue, WorkItem, WorkItemState


def queues_served_by(user: AbstractBaseUser) -> QuerySet[Queue]:
    """The queues an agent serves: as one of its agents, or through one of its groups."""
    return Queue.objects.filter(Q(agents=user) | Q(groups__in=user.groups.all())).distinct()


def serving_user_ids(queue: Queue) -> set[int]:
    """Everyone who serves the queue now: whom to tell (with those who served it before) when it changes."""
    direct = set(queue.agents.values_list("pk", flat=True))
    through_groups = queue.groups.values_list("user", flat=True)
    return direct | {pk for pk in through_groups if pk is not None}


def _open_queues() -> QuerySet[Queue]:
    return Queue.objects.filter(agents_see_each_others_conversations=True)


class RoutingAudience:
    # A conversation is its agent's: colleagues of a queue that shares read along and leave notes, never answer the
    # customer or change its state behind the agent's back (a supervisor reassigns it instead).
    only_assignee_acts = True

    def interaction_groups(self, interaction_ids: Collection[int]) -> dict[int, set[str]]:
        """One query for any number of interactions: a push costs the same for a batch of statuses as for one."""
        offered_to = WorkItem.objects.filter(
            interaction=OuterRef("pk"), state=WorkItemState.OFFERED, offered_to__isnull=False
        ).values("offered_to")[:1]  # at most one active work item per interaction
        rows = (
            Interaction.objects.filter(pk__in=list(interaction_ids))
            .annotate(
                offered_to_id=Subquery(offered_to),
                queue_is_open=Exists(_open_queues().filter(key=OuterRef("queue"))),
            )
            .values_list("pk", "assigned_to_id", "offered_to_id", "queue", "queue_is_open")
            .order_by()
        )
        audiences: dict[int, set[str]] = {}
        for pk, assigned_to_id, offered_to_id, queue_key, queue_is_open in rows:
            groups = {user_group(user_id) for user_id in (assigned_to_id, offered_to_id) if user_id is not None}
            if queue_key and queue_is_open:
                groups.add(queue_group(queue_key))
            audiences[pk] = groups
        return audiences

    def user_groups(self, user: AbstractBaseUser) -> set[str]:
        open_queues = _open_queues().filter(pk__in=queues_served_by(user).values("pk"))
        return {queue_group(key) for key in open_queues.values_list("key", flat=True)}

    def visible_interactions(self, user: AbstractBaseUser, queryset: QuerySet[Interaction]) -> QuerySet[Interaction]:
        offered = WorkItem.objects.filter(state=WorkItemState.OFFERED, offered_to=user).values("interaction_id")
        open_queues = _open_queues().filter(pk__in=queues_served_by(user).values("pk")).values("key")
        in_hand = Q(assigned_to=user) | Q(pk__in=offered)
        # The customer's earlier conversations are one click away for whoever has their current one in hand.
        customers_in_hand = Interaction.objects.filter(in_hand, state__in=OPEN_STATES).values("channel_user_id")
        return queryset.filter(in_hand | Q(queue__in=open_queues) | Q(channel_user__in=customers_in_hand))
