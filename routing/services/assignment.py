"""Offers: work items handed to agents, and what becomes of them (accepted, rejected, timed out, withdrawn), and a
supervisor's reassignment. Who may take what, and in which order, is `routing/policies/capacity.py`; this module
takes the locks and writes, recording every change in the routing history and pushing it after commit.

The lock order. A transaction that locks more than one of these takes them in this order, never the reverse:

    agent profiles (by primary key) → work items → channel user → interaction   (the last two: interactions' order)

- Offering locks the profiles of the agents it may offer to and counts their load and pending offers afresh under
  those locks, then claims queued items with `FOR UPDATE SKIP LOCKED`: two offering rounds never wait for each
  other's items, and an item one has claimed the other skips. An auto-accept queue's items then lock their
  interactions.
- Capacity is spent only under the agent's profile lock (an offer, a reassignment). Accepting turns a pending offer
  into load within one transaction, so it needs no profile lock: counting both in one statement sees the offer as
  one or the other, never both or neither. An agent's usage falls (a rejection, a timeout, a withdrawal) without it.
- Accepting and rejecting lock the work item, which must still be offered to that agent; accepting then locks the
  interaction. Expiry claims due offers with SKIP LOCKED. A presence change locks the profile, then the agent's offers.
- Foreign keys are checked at commit (deferred), taking a share lock on each row a new history row or offer
  names (its work item, interaction, agent): so a profile is locked without its user row (`of=("self",)`), and
  the work item a history row is written to is always locked first.
- An agent's message in a conversation routing waits to offer takes it (`prepare_claim_by_writing`, the core's claim
  policy): the writer's profile, then the item, are locked before the message locks the interaction. One queued or
  moved after that look is refused (send again), never locked under the interaction's lock. An agent who starts a
  conversation (outreach) has their profile locked before the customer is.
- Nothing that holds an interaction's (or a channel user's) lock waits for a profile or a work item: a caller holding
  one offers after it commits, with `offer_next_items_on_commit`.

`routing/tests/test_assignment_races.py` hammers these paths from several processes on PostgreSQL.
"""

import math
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Case, F, QuerySet, When
from django.utils import timezone

from interactions.live import published_together
from interactions.models import Interaction
from interactions.people import person_name
from interactions.services.assignment import assign_interaction
from interactions.services.outbound import ActionRefused
from interactions.services.timeline import lock_interaction
from interactions.task_queue import enqueue_task_on_commit_once, task_started
from routing.configuration import RoutingConfiguration, routing_configuration
from routing.live import publish_offer_changes, publish_queue_changes
from routing.models import (
    ACTIVE_WORK_ITEM_STATES,
    AgentProfile,
    Queue,
    RejectReason,
    WorkItem,
    WorkItemEventKind,
    WorkItemState,
)
from routing.policies.capacity import (
    AgentStanding,
    WaitingItem,
    agent_standings,
    free_capacity,
    offer_order,
    plan_offers,
    queues_served,
)
from routing.services.history import record_work_item_event, record_work_item_events
from routing.services.queueing import open_queue_ids
from routing.tasks import expire_offers_task, offer_next_items_task

# One round offers at most this many items (its transaction stays short); a full round is followed by another.
MAX_OFFERS_PER_ROUND = 50
MAX_ROUNDS = 20
CLAIM_SLACK = 10
EXPIRY_BATCH = 200


class OfferNoLongerOpen(ActionRefused):
    """The offer was taken, expired or withdrawn before the answer came (409)."""


class CapacityReached(ActionRefused):
    """The agent holds as many conversations as their capacity allows (409)."""


def offer_next_items(*, queue: Queue | None = None, agent: AbstractBaseUser | None = None) -> list[WorkItem]:
    """Offers waiting items to eligible agents: to `agent` (they became available or freed capacity), or to the
    agents of `queue` (an item was queued there), or, with neither, across every queue (the sweep). Each round is
    its own transaction; returns the items offered or, on an auto-accept queue, accepted. Runs on Celery (the tasks
    in `routing/tasks.py`), never in a request."""
    return _offer_rounds(queue_id=queue.pk if queue else None, agent_id=agent.pk if agent else None)


def _offer_rounds(*, queue_id: int | None, agent_id: int | None) -> list[WorkItem]:
    offered: list[WorkItem] = []
    for _ in range(MAX_ROUNDS):
        with published_together():  # a round's offers and the queues they left: one message, out before the next
            made, full = _offer_round(queue_id=queue_id, agent_id=agent_id)
        offered += made
        if not full:
            break
    return offered


def offer_next_items_on_commit(*, queue_id: int | None = None, agent_id: int | None = None) -> None:
    """Once the caller's transaction commits (its locks released), a Celery task offers the queue's items, or the
    agent work: the request that made the change returns at once. A burst of changes for one queue or agent
    enqueues one task while it waits. With the broker down nothing fails: the periodic sweep
    (`offer_waiting_items_task`) offers what this could not."""
    enqueue_task_on_commit_once(
        offer_next_items_task, key=_offering_key(queue_id, agent_id), queue_id=queue_id, agent_id=agent_id
    )


def offer_after_change(*, queue_id: int | None, agent_id: int | None) -> int:
    """The task `offer_next_items_on_commit` enqueued; returns how many items it offered (or assigned)."""
    task_started(_offering_key(queue_id, agent_id))  # a change committed from now on enqueues another
    return len(_offer_rounds(queue_id=queue_id, agent_id=agent_id))


def _offering_key(queue_id: int | None, agent_id: int | None) -> str:
    return f"routing.offer:queue={queue_id or ''}:agent={agent_id or ''}"


def _offer_round(*, queue_id: int | None, agent_id: int | None) -> tuple[list[WorkItem], bool]:
    """One round (an agent's own is `_agent_round`): who could take work (read without locks), then, under the
    takers' profile locks, their fresh standings, the items claimed for them, the plan, the writes. Returns the items
    and whether another round may find more: it made offers, more items may wait, and an agent has room left."""
    if agent_id is not None:
        return _agent_round(agent_id)
    configuration = routing_configuration()
    served = queues_served(queue_ids=None if queue_id is None else [queue_id])
    standings = agent_standings(served=served, configuration=configuration)
    free = sorted((s for s in standings if s.free > 0), key=offer_order)
    taker_ids = [s.agent_id for s in free[:MAX_OFFERS_PER_ROUND]]
    if not taker_ids:
        return [], False
    with transaction.atomic():
        _lock_profiles(taker_ids)
        takers = [
            s
            for s in agent_standings(served={pk: served[pk] for pk in taker_ids}, configuration=configuration)
            if s.free > 0
        ]
        if not takers:
            return [], False
        # A few more than can be offered: an item kept for someone else (its preferred agent, or not straight back
        # to its last one) must not leave a free agent without work while others wait behind it.
        limit = min(sum(s.free for s in takers), MAX_OFFERS_PER_ROUND) + CLAIM_SLACK
        wanted = open_queue_ids(set().union(*(s.queue_ids for s in takers)))  # closed ones wait for the opening
        items = _claim_queued_items(queue_ids=wanted if queue_id is None else wanted & {queue_id}, limit=limit)
        others = [s for s in standings if s.agent_id not in {t.agent_id for t in takers}]
        made = _offer_planned(items, takers=takers, others=others)
    more_waiting = len(items) == limit
    return made, bool(made) and more_waiting and any(s.free > 0 for s in takers)


def _agent_round(agent_id: int) -> tuple[list[WorkItem], bool]:
    """One agent became available or has room again: only their own offers to make, so nobody else is locked or
    counted, unless an item claimed for them names someone else (its preferred agent) or was last theirs (then
    whether anyone else could take it decides)."""
    configuration = routing_configuration()
    served = queues_served(agent_ids=[agent_id])
    if not served:
        return [], False
    with transaction.atomic():
        _lock_profiles([agent_id])
        takers = [s for s in agent_standings(served=served, configuration=configuration) if s.free > 0]
        if not takers:
            return [], False
        [taker] = takers
        limit = min(taker.free, MAX_OFFERS_PER_ROUND) + CLAIM_SLACK
        items = _claim_queued_items(queue_ids=open_queue_ids(taker.queue_ids), limit=limit)
        made = _offer_planned(items, takers=takers, others=_rivals(items, taker=taker, configuration=configuration))
    return made, bool(made) and len(items) == limit and taker.free > 0


def _rivals(
    items: Sequence[WorkItem], *, taker: AgentStanding, configuration: RoutingConfiguration
) -> list[AgentStanding]:
    """The other available agents `plan_offers` must know of to place these items: only when an item prefers
    someone else, or was last offered to the taker (read without locks, as a round's others always are)."""
    concerned = {
        item.queue_id
        for item in items
        if item.preferred_agent_id not in (None, taker.agent_id) or item.last_offered_to_id == taker.agent_id
    }
    if not concerned:
        return []
    served = queues_served(queue_ids=concerned)
    served.pop(taker.agent_id, None)
    return agent_standings(served=served, configuration=configuration)


def _lock_profiles(agent_ids: Sequence[int]) -> None:
    """The profiles of agents about to be offered work, locked in primary-key order (the lock order)."""
    locked = AgentProfile.objects.select_for_update(of=("self",)).filter(user_id__in=list(agent_ids))
    list(locked.order_by("pk").values_list("pk"))


def _offer_planned(
    items: list[WorkItem], *, takers: Sequence[AgentStanding], others: Sequence[AgentStanding]
) -> list[WorkItem]:
    now = timezone.now()
    plan = plan_offers([_waiting(item) for item in items], takers=takers, others=others, now=now)
    by_id = {item.pk: item for item in items}
    return _make_offers([(by_id[waiting.id], standing) for waiting, standing in plan], now=now)


def _claim_queued_items(*, queue_ids: set[int], limit: int) -> list[WorkItem]:
    """The next queued items of these queues in offer order, locked; those another round holds are skipped."""
    if not queue_ids or limit <= 0:
        return []
    return list(
        WorkItem.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("queue", "interaction__channel_user")
        .filter(state=WorkItemState.QUEUED, queue_id__in=list(queue_ids))
        .order_by("priority", "queued_at", "pk")[:limit]
    )


def _waiting(item: WorkItem) -> WaitingItem:
    return WaitingItem(
        id=item.pk,
        queue_id=item.queue_id,
        preferred_agent_id=item.preferred_agent_id,
        last_offered_to_id=item.last_offered_to_id,
    )


def _make_offers(plan: Sequence[tuple[WorkItem, AgentStanding]], *, now: datetime) -> list[WorkItem]:
    if not plan:
        return []
    configuration = routing_configuration()
    handed = [(item, standing) for item, standing in plan if item.queue.auto_accept]
    agents = get_user_model().objects.in_bulk({standing.agent_id for _, standing in handed}) if handed else {}
    offered, made = [], []
    for item, standing in plan:
        if item.queue.auto_accept:
            agent = agents[standing.agent_id]
            if _hand_over(item, agent=agent, now=now) is not None:
                record_work_item_event(work_item=item, kind=WorkItemEventKind.ACCEPTED, agent=agent, note="auto-accept")
                made.append(item)
            continue
        timeout = (
            timedelta(seconds=item.queue.offer_timeout_seconds)
            if item.queue.offer_timeout_seconds
            else configuration.offer_timeout
        )
        item.state = WorkItemState.OFFERED
        item.offered_to_id = item.last_offered_to_id = standing.agent_id
        item.offered_at = now
        item.offer_expires_at = now + timeout
        offered.append(item)
    if made:  # the agent's inbox opens what became theirs
        publish_offer_changes(made, state="accepted", agent_ids=[item.accepted_by_id for item in made])
    if offered:
        agent_ids = [item.offered_to_id for item in offered]
        record_work_item_events(offered, kind=WorkItemEventKind.OFFERED, agent_ids=agent_ids)
        _save_offers(offered, now=now)
        publish_offer_changes(offered, state="offered", agent_ids=agent_ids)
        _expire_when_due({item.offer_expires_at for item in offered}, now=now)
    AgentProfile.objects.filter(user_id__in={standing.agent_id for _, standing in plan}).update(last_offer_at=now)
    publish_queue_changes(item.queue.key for item, _ in plan)
    return [*made, *offered]


def _save_offers(offered: Sequence[WorkItem], *, now: datetime) -> None:
    """One plain UPDATE per agent and expiry (a round's offers to one agent share both), cheaper to build than one
    `bulk_update` with a CASE per column."""
    alike: dict[tuple[int, datetime], list[int]] = {}
    for item in offered:
        alike.setdefault((item.offered_to_id, item.offer_expires_at), []).append(item.pk)
    for (agent_id, expires_at), pks in alike.items():
        WorkItem.objects.filter(pk__in=pks).update(
            state=WorkItemState.OFFERED,
            offered_to_id=agent_id,
            last_offered_to_id=agent_id,
            offered_at=now,
            offer_expires_at=expires_at,
        )


def _expire_when_due(due: Iterable[datetime], *, now: datetime) -> None:
    """One countdown task per second in which offers fall due, however many rounds offer in it (each sweeps every
    offer due by then); the periodic sweep is the safety net. The second names the task, so its mark needs no
    clearing: it only keeps the same second from being enqueued again."""
    for second in sorted({math.ceil(at.timestamp()) for at in due}):
        enqueue_task_on_commit_once(
            expire_offers_task, key=f"routing.expire:{second}", countdown=max(second - now.timestamp(), 0)
        )


def _hand_over(item: WorkItem, *, agent: AbstractBaseUser, now: datetime) -> Interaction | None:
    """The locked item's interaction becomes the agent's; None (and the item cancelled) when it has closed meanwhile."""
    interaction = lock_interaction(item.interaction_id)
    if not interaction.is_open:
        _cancel_closed(item, now=now)
        return None
    _assign(item, interaction=interaction, agent=agent, now=now)
    return interaction


def _cancel_closed(item: WorkItem, *, now: datetime) -> None:
    _end(item, state=WorkItemState.CANCELLED, now=now)
    record_work_item_event(work_item=item, kind=WorkItemEventKind.CANCELLED, reason="The conversation closed.")


def _assign(item: WorkItem, *, interaction: Interaction, agent: AbstractBaseUser, now: datetime) -> None:
    """The item accepted by the agent and its (locked, open) interaction theirs. Whoever held it before (a transfer)
    is offered other work once this commits (`lifecycle_reactions`: their load fell)."""
    assign_interaction(interaction=interaction, agent=agent)
    item.accepted_by = agent
    item.accepted_at = now
    _end(item, state=WorkItemState.ACCEPTED, now=now)


def _end(item: WorkItem, *, state: str, now: datetime) -> None:
    item.state = state
    item.offered_to = None
    item.offer_expires_at = None
    item.ended_at = now
    item.save(update_fields=["state", "offered_to", "offer_expires_at", "ended_at", "accepted_by", "accepted_at"])


def _back_to_queue(items: Sequence[WorkItem]) -> None:
    """Queued again where it stood (`queued_at` is kept); `last_offered_to` remembers who had it. A preferred agent
    who let it go is preferred no more: it goes on to the others in turn, not back to them every other time."""
    for item in items:
        if item.preferred_agent_id == item.offered_to_id:
            item.preferred_agent = None
        item.state = WorkItemState.QUEUED
        item.offered_to = None
        item.offered_at = None
        item.offer_expires_at = None
    let_go = Case(When(preferred_agent=F("offered_to"), then=None), default=F("preferred_agent"))
    WorkItem.objects.filter(pk__in=[item.pk for item in items]).update(
        state=WorkItemState.QUEUED, offered_to=None, offered_at=None, offer_expires_at=None, preferred_agent=let_go
    )


def _locked_items(items: QuerySet[WorkItem], *, with_agent: bool = True) -> list[WorkItem]:
    """Locked, read with what their pushes show (and `offered_to`, unless the caller has no use for it)."""
    related = ("queue", "interaction__channel_user", *(("offered_to",) if with_agent else ()))
    return list(items.select_for_update(of=("self",)).select_related(*related))


def _offer_refusal(item: WorkItem, *, agent: AbstractBaseUser, now: datetime) -> str | None:
    """Why this agent can no longer answer the offer, or None while it is theirs to answer."""
    if item.state == WorkItemState.ACCEPTED:
        return "Another agent has taken this conversation."
    if item.state == WorkItemState.CANCELLED:
        return "This conversation no longer waits for an agent."
    if item.state == WorkItemState.QUEUED or item.offered_to_id != agent.pk:
        return "This offer is no longer yours: it expired or was withdrawn."
    if item.offer_expires_at is not None and item.offer_expires_at <= now:
        return "This offer expired."
    return None


def accept_offer(*, work_item: WorkItem, agent: AbstractBaseUser) -> Interaction:
    """The agent takes the conversation: assigned to them, work in progress. Two agents can never both take one:
    the item is locked and must still be offered to this agent, unexpired. Accepting twice returns it again."""
    with transaction.atomic():
        [item] = _locked_items(WorkItem.objects.filter(pk=work_item.pk))
        if item.state == WorkItemState.ACCEPTED and item.accepted_by_id == agent.pk:
            return Interaction.objects.select_related("channel_user", "assigned_to").get(pk=item.interaction_id)
        now = timezone.now()
        refusal = _offer_refusal(item, agent=agent, now=now)
        if refusal is None:
            interaction = lock_interaction(item.interaction_id)
            if interaction.is_open:
                publish_offer_changes([item], state="accepted", agent_ids=[agent.pk])
                _assign(item, interaction=interaction, agent=agent, now=now)
                record_work_item_event(work_item=item, kind=WorkItemEventKind.ACCEPTED, actor=agent, agent=agent)
            else:
                publish_offer_changes([item], state="cancelled", agent_ids=[agent.pk])
                _cancel_closed(item, now=now)
                refusal = "The conversation was closed before you accepted it."
            publish_queue_changes([item.queue.key])
    if refusal is not None:
        raise OfferNoLongerOpen(refusal)  # after the block: a cancellation found on the way is kept
    return interaction


def reject_offer(*, work_item: WorkItem, agent: AbstractBaseUser, reason: RejectReason) -> WorkItem:
    """The agent declines, saying why: the item goes back to its place in the queue and on to another agent (the
    one who rejected it only when nobody else can take it)."""
    if not reason.is_active:
        raise ActionRefused(f"{reason.text!r} is no longer a reason to reject offers.")
    with transaction.atomic():
        [item] = _locked_items(WorkItem.objects.filter(pk=work_item.pk))
        if item.state != WorkItemState.OFFERED or item.offered_to_id != agent.pk:
            raise OfferNoLongerOpen(_offer_refusal(item, agent=agent, now=timezone.now()))
        publish_offer_changes([item], state="rejected", agent_ids=[agent.pk])
        _back_to_queue([item])
        record_work_item_event(
            work_item=item, kind=WorkItemEventKind.REJECTED, actor=agent, agent=agent, reason=reason.text
        )
        publish_queue_changes([item.queue.key])
        offer_next_items_on_commit(queue_id=item.queue_id)
        offer_next_items_on_commit(agent_id=agent.pk)  # their capacity is free again, for other items
    return item


def expire_offers(*, now: datetime | None = None) -> int:
    """Offers unanswered past their time go back to their queues and on to the next agent; returns how many.
    Runs in a Celery task (a countdown per offer, and the periodic sweep), never in a request."""
    now = now or timezone.now()
    expired = 0
    while True:
        with transaction.atomic():
            items = list(
                WorkItem.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("queue", "interaction__channel_user")
                .filter(state=WorkItemState.OFFERED, offer_expires_at__lte=now)
                .order_by("offer_expires_at", "pk")[:EXPIRY_BATCH]
            )  # another sweep's items are skipped, not waited for
            if not items:
                return expired
            _withdraw(items, kind=WorkItemEventKind.TIMED_OUT, state="timed_out")
        expired += len(items)
        if len(items) < EXPIRY_BATCH:
            return expired


def cancel_work_of_closed_interaction(interaction_id: int) -> int:
    """A closed conversation waits for nobody: its queued or offered item is cancelled (an offer's card goes from the
    agent's inbox). Returns how many (0 or 1)."""
    with transaction.atomic():
        items = _locked_items(
            WorkItem.objects.filter(interaction_id=interaction_id, state__in=ACTIVE_WORK_ITEM_STATES).order_by("pk")
        )
        now = timezone.now()
        offered = [item for item in items if item.offered_to_id is not None]
        if offered:
            publish_offer_changes(offered, state="cancelled", agent_ids=[item.offered_to_id for item in offered])
        for item in items:
            _cancel_closed(item, now=now)
        publish_queue_changes(item.queue.key for item in items)
    return len(items)


def release_offers_of(agent: AbstractBaseUser) -> int:
    """The agent's pending offers go back to their queues (they went away or offline); returns how many."""
    with transaction.atomic():
        theirs = WorkItem.objects.filter(state=WorkItemState.OFFERED, offered_to=agent).order_by("pk")
        items = _locked_items(theirs, with_agent=False)
        _withdraw(items, kind=WorkItemEventKind.OFFER_WITHDRAWN, state="withdrawn")
    return len(items)


def _withdraw(items: list[WorkItem], *, kind: str, state: str) -> None:
    """Locked offered items back to their queues, each recorded, pushed to its agent and offered on once this
    commits."""
    if not items:
        return
    agent_ids = [item.offered_to_id for item in items]
    publish_offer_changes(items, state=state, agent_ids=agent_ids)
    _back_to_queue(items)
    record_work_item_events(items, kind=kind, agent_ids=agent_ids)
    publish_queue_changes(item.queue.key for item in items)
    for queue_id in sorted({item.queue_id for item in items}):
        offer_next_items_on_commit(queue_id=queue_id)


def reassign_interaction(
    *, interaction: Interaction, to_agent: AbstractBaseUser, by: AbstractBaseUser, note: str = ""
) -> Interaction:
    """A supervisor hands a conversation to another agent, within that agent's capacity. A pending offer of it is
    withdrawn; the previous agent is offered other work once this commits. Who may do this is the caller's check."""
    with transaction.atomic():
        _lock_profile(to_agent)
        _refuse_past_capacity(
            to_agent, refusal=f"{person_name(to_agent)} already holds as many conversations as their capacity allows."
        )
        # The latest item (the active one, if any) is locked before the interaction, as on every path: the history
        # row written to it needs a share lock on it at commit, never to wait behind an accept waiting for us.
        latest = WorkItem.objects.filter(interaction=interaction).order_by("-pk")[:1]
        [item] = _locked_items(latest) or [_new_work_item(interaction)]
        locked = lock_interaction(interaction.pk)
        if not locked.is_open:
            raise ActionRefused(f"Interaction {locked.number} is closed.")
        if locked.assigned_to_id == to_agent.pk:
            raise ActionRefused(f"Interaction {locked.number} is already {person_name(to_agent)}'s.")
        now = timezone.now()
        if item.state == WorkItemState.OFFERED:
            publish_offer_changes([item], state="withdrawn", agent_ids=[item.offered_to_id])
            offer_next_items_on_commit(agent_id=item.offered_to_id)
        if item.state in ACTIVE_WORK_ITEM_STATES:
            _assign(item, interaction=locked, agent=to_agent, now=now)
        else:
            previous = assign_interaction(interaction=locked, agent=to_agent)
            if previous is not None:
                offer_next_items_on_commit(agent_id=previous.pk)
        record_work_item_event(work_item=item, kind=WorkItemEventKind.REASSIGNED, actor=by, agent=to_agent, note=note)
        publish_queue_changes([item.queue.key])
    return Interaction.objects.select_related("channel_user", "assigned_to").get(pk=interaction.pk)


def _refuse_past_capacity(agent: AbstractBaseUser, *, refusal: str, offered_to_them: bool = False) -> None:
    """The capacity rule of every path that gives an agent a conversation outside an offer (a reassignment, taking
    one by writing in it, opening one): one more must fit in their free capacity (`policies/capacity.py`), where
    an offer of this very conversation to them already holds its room. Asked under the agent's profile lock."""
    if free_capacity(agent) + (1 if offered_to_them else 0) <= 0:
        raise CapacityReached(refusal)


def _lock_profile(agent: AbstractBaseUser) -> None:
    """The agent's profile, made if missing, locked: capacity is spent only under it. Never the user's row too."""
    AgentProfile.objects.get_or_create(user=agent)
    AgentProfile.objects.select_for_update(of=("self",)).filter(user=agent).values_list("pk").get()


class RoutingClaims:
    """The claim policy routing registers with the core (`interactions.services.assignment`): an agent who writes
    in a conversation routing waits to offer takes it as an accept would, within their capacity."""

    def prepare_claim(self, *, interaction_id: int, agent: AbstractBaseUser) -> Callable[[Interaction], None]:
        return prepare_claim_by_writing(interaction_id=interaction_id, agent=agent)

    def prepare_opening(self, *, agent: AbstractBaseUser) -> None:
        prepare_opening_within_capacity(agent=agent)


def prepare_opening_within_capacity(*, agent: AbstractBaseUser) -> None:
    """An agent starting a conversation with a customer (outreach) takes it without an offer: their profile is
    locked (before the customer, the lock order) and the conversation must fit in their capacity, as when taking
    one by writing in it. The lock holds until the caller commits, so two starts at once cannot both squeeze in."""
    _lock_profile(agent)
    _refuse_past_capacity(
        agent,
        refusal="You already hold as many conversations as your capacity allows, so you cannot start another; "
        "close or hand on one of yours first.",
    )


def prepare_claim_by_writing(*, interaction_id: int, agent: AbstractBaseUser) -> Callable[[Interaction], None]:
    """Before an agent's message locks the interaction (the lock order): when it has no agent and its work item waits
    (queued, or offered to anyone), the agent's profile and that item are locked now and the returned check takes
    it under the interaction's lock. An interaction with an agent takes nothing (and the one gate of an agent's
    acts, `lock_interaction_to_act`, refuses a colleague's message in it under routing)."""
    assigned_to_id = Interaction.objects.filter(pk=interaction_id).values_list("assigned_to_id", flat=True).first()
    if assigned_to_id is not None:  # the common case, one query: writing in a conversation someone holds
        return partial(_take_unprepared, agent=agent)
    waiting = WorkItem.objects.filter(interaction_id=interaction_id, state__in=ACTIVE_WORK_ITEM_STATES)
    seen = waiting.values_list("pk", flat=True).first()
    if seen is None:
        return partial(_take_unprepared, agent=agent)
    _lock_profile(agent)
    [item] = _locked_items(WorkItem.objects.filter(pk=seen)) or [None]
    return partial(_take_by_writing, item=item, agent=agent)


def _take_unprepared(interaction: Interaction, *, agent: AbstractBaseUser) -> None:
    """Nothing was locked: fine while routing still waits for nothing; a conversation queued or handed on since (a
    transfer) is not taken without its locks, which may no longer be waited for under the interaction's."""
    if WorkItem.objects.filter(interaction_id=interaction.pk, state__in=ACTIVE_WORK_ITEM_STATES).exists():
        raise ActionRefused(f"Interaction {interaction.number} was just queued or moved; send your message again.")


def _take_by_writing(interaction: Interaction, *, item: WorkItem | None, agent: AbstractBaseUser) -> None:
    """Under the interaction's lock, with the agent's profile and the item locked: the item accepted by the agent
    (an offer to someone else withdrawn, recorded and pushed), or the message refused when it would take them past
    their capacity. An item taken or ended meanwhile is no longer routing's to give: checked as unprepared."""
    if item is None or item.state not in ACTIVE_WORK_ITEM_STATES:
        _take_unprepared(interaction, agent=agent)
        return
    offered_to = item.offered_to if item.state == WorkItemState.OFFERED else None
    _refuse_past_capacity(
        agent,
        refusal=f"You already hold as many conversations as your capacity allows, so you cannot take "
        f"{interaction.number} by writing in it; close or hand on one of yours first, or leave it to routing.",
        offered_to_them=offered_to is not None and offered_to.pk == agent.pk,
    )
    now = timezone.now()
    if offered_to is not None and offered_to.pk != agent.pk:
        publish_offer_changes([item], state="withdrawn", agent_ids=[offered_to.pk])
        record_work_item_event(
            work_item=item, kind=WorkItemEventKind.OFFER_WITHDRAWN, actor=agent, agent=offered_to,
            reason=f"{person_name(agent)} took it by writing in it",
        )  # fmt: skip
        offer_next_items_on_commit(agent_id=offered_to.pk)  # their pending offer no longer holds their room
    elif offered_to is not None:
        publish_offer_changes([item], state="accepted", agent_ids=[agent.pk])
    _assign(item, interaction=interaction, agent=agent, now=now)
    record_work_item_event(
        work_item=item, kind=WorkItemEventKind.ACCEPTED, actor=agent, agent=agent, note="By writing in it"
    )
    publish_queue_changes([item.queue.key])


def _new_work_item(interaction: Interaction) -> WorkItem:
    """The routing record of a conversation that never went through routing, for its reassignment: accepted, in
    the interaction's queue or the default queue."""
    queue = Queue.objects.filter(key=interaction.queue).first() or Queue.objects.filter(is_default=True).first()
    if queue is None:
        raise ActionRefused("No queue to record this conversation in: create a default queue first.")
    now = timezone.now()
    return WorkItem.objects.create(
        interaction=interaction,
        queue=queue,
        state=WorkItemState.ACCEPTED,
        priority=queue.priority,
        queued_at=now,
        waiting_since=now,
        ended_at=now,
    )
