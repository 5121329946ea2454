"""Routing's live pushes: an offer to the agent it is for, an agent's presence to them and to the supervisors, and
a hint to supervisors that a queue changed. Built inside the change's transaction, sent once it commits; a push is
a hint (the offers list and the supervisor's snapshot are the record), so one lost never fails the change.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Literal, TypedDict

from django.contrib.auth.models import AbstractBaseUser

from interactions.audience import SUPERVISORS_GROUP, user_group
from interactions.live import audience_changed_on_commit, publish_all_on_commit, publish_on_commit
from routing.models import WorkItem
from routing.serializers import offers_data

OfferState = Literal["offered", "accepted", "rejected", "timed_out", "withdrawn", "cancelled"]


class OfferChanged(TypedDict):
    type: Literal["offer.changed"]
    offer: dict
    state: OfferState


class AgentPresence(TypedDict):
    id: int
    name: str
    presence: str
    away_reason: str
    since: datetime
    load: int
    capacity: int


class PresenceChanged(TypedDict):
    type: Literal["presence.changed"]
    agent: AgentPresence


class RoutingChanged(TypedDict):
    """Only a hint to refetch the supervisor's snapshot."""

    type: Literal["routing.changed"]
    queue: str


def publish_offer_changes(items: Sequence[WorkItem], *, state: OfferState, agent_ids: Sequence[int]) -> None:
    """`offer.changed` to each item's agent (`agent_ids`, in the items' order): serialized now, sent together after
    commit (an agent's offers of one round reach their sockets as one frame). Items are read with `queue` and
    `interaction__channel_user`."""
    changes: list[tuple[list[str], OfferChanged]] = [
        ([user_group(agent_id)], {"type": "offer.changed", "offer": offer, "state": state})
        for offer, agent_id in zip(offers_data(items), agent_ids, strict=True)
    ]
    publish_all_on_commit(changes)
    if state not in ("offered", "accepted"):
        # The conversation was theirs to see only while offered: their workspace lets go of it too.
        audience_changed_on_commit(user_ids=set(agent_ids))


def publish_presence(*, agent: AbstractBaseUser, presence: AgentPresence) -> None:
    event: PresenceChanged = {"type": "presence.changed", "agent": presence}
    publish_on_commit(groups=[user_group(agent.pk), SUPERVISORS_GROUP], event=event)


def publish_queue_changes(queue_keys: Iterable[str]) -> None:
    changes: list[tuple[list[str], RoutingChanged]] = [
        ([SUPERVISORS_GROUP], {"type": "routing.changed", "queue": key}) for key in sorted(set(queue_keys))
    ]
    publish_all_on_commit(changes)
