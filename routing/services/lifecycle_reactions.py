"""What routing does when a conversation changes state or agent (the core's lifecycle listeners call this after the
change commits): a closed conversation's waiting work is cancelled, an agent whose load fell is offered more, and
the agents whose load moved hear it (with the supervisors), from a task."""

from interactions.models import Interaction, InteractionState
from routing.configuration import routing_configuration
from routing.services.assignment import cancel_work_of_closed_interaction, offer_next_items_on_commit
from routing.services.presence import publish_loads_on_commit


def react_to_lifecycle_change(interaction: Interaction, previous_state: str, previous_assignee_id: int | None) -> None:
    if not interaction.is_open:
        cancel_work_of_closed_interaction(interaction.pk)
    if previous_assignee_id is not None:
        handed_on = interaction.assigned_to_id != previous_assignee_id
        put_down = not interaction.is_open or (
            interaction.state == InteractionState.ON_HOLD and not routing_configuration().count_on_hold_toward_capacity
        )
        if handed_on or (put_down and previous_state != interaction.state):
            offer_next_items_on_commit(agent_id=previous_assignee_id)  # outside a transaction: at once
    publish_loads_on_commit({previous_assignee_id, interaction.assigned_to_id} - {None})
