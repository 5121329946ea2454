"""Who works on an interaction: an agent who writes in one takes it on."""

from django.contrib.auth.models import AbstractBaseUser

from interactions.models import Interaction, InteractionState


def claim_interaction(*, interaction: Interaction, agent: AbstractBaseUser) -> None:
    """A new interaction becomes work in progress, and an unassigned one the writing agent's; one already
    assigned stays with its agent (a colleague helping out does not take it over).

    The caller holds the interaction's lock; only the fields that change are saved.
    """
    changed = []
    if interaction.state == InteractionState.NEW:
        interaction.state = InteractionState.WORK_IN_PROGRESS
        changed.append("state")
    if interaction.assigned_to_id is None:
        interaction.assigned_to = agent
        changed.append("assigned_to")
    if changed:
        interaction.save(update_fields=changed)
