"""Handing an interaction between the automated responder (interactions/responders.py) and people."""

from interactions.live import broadcast_on_commit, interaction_changed
from interactions.models import Interaction
from interactions.responders import registered_responder


def release_from_responder(interaction: Interaction) -> bool:
    """The responder lets go of the (locked) interaction: people, through routing, have it from now on."""
    if not interaction.automated_responder:
        return False
    interaction.automated_responder = ""
    interaction.revision += 1
    interaction.save(update_fields=["automated_responder", "revision"])
    broadcast_on_commit(interaction_changed(interaction))
    return True


def hand_to_responder(interaction: Interaction) -> None:
    """The (locked) interaction goes (back) to the registered responder; its next customer message reaches it."""
    responder = registered_responder()
    if responder is None:
        raise LookupError("no automated responder is registered")
    interaction.automated_responder = responder.name
    interaction.revision += 1
    interaction.save(update_fields=["automated_responder", "revision"])
    broadcast_on_commit(interaction_changed(interaction))
