"""Pushes to the live workspace after commit. The push is a hint, not the record: clients catch up over HTTP.

An event is encoded to JSON once and published once, on Redis pub/sub, over the one connection this process keeps
for it; each web server process subscribes once and hands the same text to all its sockets (`live_fanout`).
"""

import json
from collections.abc import Iterable, Sequence
from functools import cache, partial
from typing import Literal, NotRequired, TypedDict

import redis
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from interactions.hints import only_a_hint
from interactions.models import Interaction, LinkPreview, Message
from interactions.selectors import interactions_for_summary
from interactions.serializers import (
    InteractionSerializer,
    LinkPreviewSerializer,
    new_timeline_message_data,
    timeline_messages_data,
)

WORKSPACE_GROUP = "workspace"


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
        "agent": agent.get_full_name() or agent.get_username(),
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


def live_channel(group: str) -> str:
    """The Redis pub/sub channel of a group, under this deployment's (or test run's) prefix."""
    return f"{settings.LIVE_UPDATES['prefix']}live.{group}"


@cache
def _publisher(redis_url: str) -> redis.Redis:
    """This process's connection for publishing, kept open (redis-py starts a new pool after a fork)."""
    return redis.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30)


def _send(group: str, event: dict) -> None:
    with only_a_hint(f"live push of {event['type']} to {group}"):
        text = json.dumps(event, cls=DjangoJSONEncoder, separators=(",", ":"))
        _publisher(settings.LIVE_UPDATES["redis_url"]).publish(live_channel(group), text)


def broadcast_on_commit(*events: dict) -> None:
    """Serialized now (inside the transaction, with the values just written), sent once it commits.

    A message's change and its interaction's, made together, go as one event: the message's, carrying the
    interaction's summary (the workspace applies both; one event instead of two on every socket).
    """
    for event in _joined(events):
        transaction.on_commit(partial(_send, WORKSPACE_GROUP, event))


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
