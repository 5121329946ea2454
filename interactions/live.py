"""Pushes to the live workspace after commit. The push is a hint, not the record: clients catch up over HTTP."""

from functools import partial
from typing import Literal, TypedDict

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from interactions.hints import only_a_hint
from interactions.models import Interaction, LinkPreview, Message
from interactions.serializers import (
    InteractionSerializer,
    LinkPreviewSerializer,
    timeline_message_data,
)

WORKSPACE_GROUP = "workspace"


class InteractionChanged(TypedDict):
    type: Literal["interaction.changed"]
    interaction: dict


class MessageChanged(TypedDict):
    type: Literal["message.changed"]
    interaction_id: int
    revision: int
    message: dict


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
    return {"type": "interaction.changed", "interaction": InteractionSerializer(interaction).data}


def message_changed(message: Message) -> MessageChanged:
    return {
        "type": "message.changed",
        "interaction_id": message.interaction_id,
        "revision": message.revision,
        "message": timeline_message_data(message),
    }


def _send(group: str, event: dict) -> None:
    with only_a_hint(f"live push of {event['type']} to {group}"):
        async_to_sync(get_channel_layer().group_send)(group, event)


def broadcast_on_commit(*events: dict) -> None:
    """Serialized now (inside the transaction, with the values just written), sent once it commits."""
    for event in events:
        transaction.on_commit(partial(_send, WORKSPACE_GROUP, event))
