"""The routing history on each interaction's record in the admin, through the core's panel registry (the core
never imports routing). Read by the same selector as the API, so both show the same entries."""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from interactions.admin_panels import register_interaction_panel
from interactions.models import Interaction
from routing.selectors import routing_history


def routing_history_panel(interaction: Interaction) -> SafeString:
    return render_to_string("admin/routing/routing_history.html", {"entries": routing_history(interaction)})


def show_routing_history_on_interaction_records() -> None:
    register_interaction_panel(routing_history_panel)
