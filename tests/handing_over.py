"""Handing a customer's conversation to an agent, as routing does once it assigns one: the agent may see it only
then, and their open workspace shows it at once (its live push goes to the conversation's new audience)."""

from django.db import transaction

from conftest import wait_until
from interactions.live import broadcast_on_commit, interaction_changed
from interactions.models import OPEN_STATES, Interaction
from interactions.services.timeline import lock_interaction


def hand_over(*, customer: str, to) -> Interaction:
    """Waits for the customer's open conversation (their first message may still be on its way) and assigns it."""
    waiting = wait_until(
        lambda: Interaction.objects.filter(channel_user__external_id=customer, state__in=OPEN_STATES).first(),
        message=f"the conversation of {customer}",
    )
    with transaction.atomic():
        interaction = lock_interaction(waiting.pk)
        interaction.assigned_to = to
        interaction.save(update_fields=["assigned_to"])
        broadcast_on_commit(interaction_changed(interaction))
    return interaction
