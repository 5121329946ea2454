"""Pushes to the live workspace after commit. The push is a hint, not the record: clients catch up over HTTP.

An event is encoded to JSON once and published once, on one Redis pub/sub channel, over the one connection this
process keeps for it, headed by the live groups allowed to see it (`interactions.audience`): an interaction's
events go to that interaction's audience, other events to the groups their publisher names. Each web server
process subscribes once and hands the text to those of its sockets whose user is in one of the groups
(`live_fanout`).
"""

import json
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache, partial
from typing import Literal, NotRequired, TypedDict

import redis
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from interactions.audience import groups_for_interactions, user_group
from interactions.durable_effects import held_until_durable
from interactions.hints import only_a_hint
from interactions.models import Interaction, LinkPreview, Message
from interactions.people import person_name
from interactions.selectors import interactions_for_summary
from interactions.serializers import (
    InteractionSerializer,
    LinkPreviewSerializer,
    new_timeline_message_data,
    timeline_messages_data,
)


class InteractionChanged(TypedDict):
    type: Literal["interaction.changed"]
    interaction: dict


class MessageChanged(TypedDict):
    """With `interaction` (its summary, as InteractionChanged carries it) when the change moved the interaction too."""

    type: Literal["message.changed"]
    interaction_id: int
    revision: int
    message: dict
    interaction: NotRequired[dict]


class AgentTyping(TypedDict):
    """Not stored: colleagues watching the interaction show it for a few seconds unless it comes again."""

    type: Literal["agent.typing"]
    interaction_id: int
    agent_id: int
    agent: str


def agent_typing(*, interaction_id: int, agent) -> AgentTyping:
    return {
        "type": "agent.typing",
        "interaction_id": interaction_id,
        "agent_id": agent.pk,
        "agent": person_name(agent),
    }


class LinkPreviewChanged(TypedDict):
    type: Literal["link_preview.changed"]
    preview: dict


def link_preview_changed(preview: LinkPreview) -> LinkPreviewChanged:
    return {"type": "link_preview.changed", "preview": LinkPreviewSerializer(preview).data}


def interaction_changed(interaction: Interaction) -> InteractionChanged:
    return interactions_changed([interaction])[0]


def interactions_changed(interactions: Iterable[Interaction]) -> list[InteractionChanged]:
    """The summaries of many interactions (a batch's), what they read besides the rows read once for all."""
    serializer = InteractionSerializer()
    return [
        {"type": "interaction.changed", "interaction": serializer.to_representation(interaction)}
        for interaction in interactions_for_summary(interactions)
    ]


def message_changed(message: Message) -> MessageChanged:
    return messages_changed([message])[0]


def message_added(message: Message) -> MessageChanged:
    """`message_changed` for a message just appended, serialized from the row in hand."""
    return {
        "type": "message.changed",
        "interaction_id": message.interaction_id,
        "revision": message.revision,
        "message": new_timeline_message_data(message),
    }


def messages_changed(messages: Sequence[Message]) -> list[MessageChanged]:
    """Many messages' changes (a batch of statuses), the messages read again for the timeline in one go."""
    data = timeline_messages_data(messages)
    return [
        {
            "type": "message.changed",
            "interaction_id": message.interaction_id,
            "revision": message.revision,
            "message": data[message.pk],
        }
        for message in messages
    ]


class AudienceChanged(TypedDict):
    """What a user may see changed (a queue they serve, their role, a conversation taken from them): their sockets
    work out their groups again and the workspace fetches its list again."""

    type: Literal["audience.changed"]


AUDIENCE_CHANGED: AudienceChanged = {"type": "audience.changed"}


def live_channel() -> str:
    """The Redis pub/sub channel of every live event, under this deployment's (or test run's) prefix. Named for its
    format (`published_text`; `.2`: several events a message), so that while a deploy rolls, a process of another
    format never hears it: it misses those pushes (its clients catch up) rather than misreading them."""
    return f"{settings.LIVE_UPDATES['prefix']}live.2"


Addressed = tuple[frozenset[str], dict]  # an event and the live groups allowed to see it


def published_text(events: Iterable[Addressed]) -> str:
    """What goes over the channel: for each event, a line of its groups and a line of its JSON (which has no raw
    newline). Events published together travel as one message, so they reach a socket as one frame."""
    encode = partial(json.dumps, cls=DjangoJSONEncoder, separators=(",", ":"))
    return "\n".join(f"{' '.join(sorted(groups))}\n{encode(event)}" for groups, event in events)


def published_events(data: bytes) -> list[tuple[frozenset[str], str]]:
    """A message read back as `published_text` wrote it: each event's groups and its JSON text, in order."""
    lines = data.decode().split("\n")
    return [(frozenset(lines[index].split()), lines[index + 1]) for index in range(0, len(lines) - 1, 2)]


@cache
def _publisher(redis_url: str) -> redis.Redis:
    """This process's connection for publishing, kept open (redis-py starts a new pool after a fork)."""
    return redis.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30)


_published_together: ContextVar[list[Addressed] | None] = ContextVar("live_published_together", default=None)


@contextmanager
def published_together() -> Iterator[None]:
    """The pushes of the commits made inside this block go as one message when it ends, so a change made of several
    reaches each socket as one frame (a presence with the offers it withdrew and the audience it changed), however
    many calls published them. Nested blocks publish with the outermost. Inside a caller's transaction it changes
    nothing: the pushes wait for that commit and go one message per call, as everywhere else."""
    if _published_together.get() is not None:
        yield
        return
    batch: list[Addressed] = []
    token = _published_together.set(batch)
    try:
        yield
    finally:
        _published_together.reset(token)
        if batch:
            _publish(batch)


def _send(events: tuple[Addressed, ...]) -> None:
    if held_until_durable(partial(_send, events)):
        return
    batch = _published_together.get()
    if batch is None:
        _publish(events)
    else:
        batch += events


def _publish(events: Sequence[Addressed]) -> None:
    addressed = [(groups, event) for groups, event in events if groups]
    with only_a_hint(f"live push of {', '.join(sorted({event['type'] for _, event in events}))}"):
        if addressed:
            _publisher(settings.LIVE_UPDATES["redis_url"]).publish(live_channel(), published_text(addressed))


def broadcast_on_commit(*events: dict) -> None:
    """Events about interactions (each names its `interaction` or `interaction_id`), serialized now and their
    audience read now (inside the transaction, with the values just written), sent together once it commits.

    A message's change and its interaction's, made together, go as one event: the message's, carrying the
    interaction's summary (the workspace applies both; one event instead of two on every socket).
    """
    joined = _joined(events)
    audiences = groups_for_interactions({_interaction_id(event) for event in joined})
    publish_all_on_commit((audiences[_interaction_id(event)], event) for event in joined)


def publish_on_commit(*, groups: Collection[str], event: dict) -> None:
    """An event not about one interaction (an offer to `user.<id>`, presence to `supervisors`), to those groups."""
    publish_all_on_commit([(groups, event)])


def publish_all_on_commit(events: Iterable[tuple[Collection[str], dict]]) -> None:
    """Events, each to its groups, sent together (one message, one frame on each socket) once the caller commits."""
    batch = tuple((frozenset(groups), event) for groups, event in events)
    if batch:
        transaction.on_commit(partial(_send, batch))


def audience_changed_on_commit(*, user_ids: Collection[int]) -> None:
    """Tells these users' sockets that what they may see changed (see `AudienceChanged`)."""
    if user_ids:
        publish_on_commit(groups={user_group(user_id) for user_id in user_ids}, event=AUDIENCE_CHANGED)


def _interaction_id(event: dict) -> int:
    return event["interaction"]["id"] if event["type"] == "interaction.changed" else event["interaction_id"]


def _joined(events: tuple[dict, ...]) -> list[dict]:
    changed_messages = {e["interaction_id"]: e for e in events if e["type"] == "message.changed"}
    joined = []
    for event in events:
        carrier = changed_messages.get(event["interaction"]["id"]) if event["type"] == "interaction.changed" else None
        if carrier is None:
            joined.append(event)
        else:
            carrier["interaction"] = event["interaction"]
    return joined
