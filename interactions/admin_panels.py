"""What other apps add to the interaction records in the admin: sections on each record (routing: the routing
history; customer service: the linked cases) and filters on the list (routing: queue; the channel: business
number; customer service: account), so that the core shows them without importing those apps. Registered at
start-up (`AppConfig.ready`)."""

from collections.abc import Callable

from django.contrib.admin import ListFilter
from django.utils.safestring import SafeString

from interactions.models import Interaction

# Given the interaction, a panel answers its HTML, escaped by its own template (render_to_string).
InteractionPanel = Callable[[Interaction], SafeString]
_interaction_panels: list[InteractionPanel] = []
_interaction_filters: list[type[ListFilter]] = []


def register_interaction_panel(panel: InteractionPanel) -> None:
    if panel not in _interaction_panels:
        _interaction_panels.append(panel)


def interaction_panels(interaction: Interaction) -> list[SafeString]:
    return [panel(interaction) for panel in _interaction_panels]


def register_interaction_filter(list_filter: type[ListFilter]) -> None:
    """A filter on the list of records; its `queryset` narrows a queryset of interactions."""
    if list_filter not in _interaction_filters:
        _interaction_filters.append(list_filter)


def interaction_filters() -> list[type[ListFilter]]:
    return list(_interaction_filters)
