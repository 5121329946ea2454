"""What other apps add to the interaction records in the admin: sections on each record (routing: the routing
history; customer service: the linked cases) and filters on the list (routing: queue; the channel: business number;
customer service: account) and the names of what the core keeps as keys (queues, business numbers), so that the core
shows them without importing those apps. Registered at start-up (`AppConfig.ready`)."""

from collections.abc import Callable

from django.contrib.admin import ListFilter
from django.utils.safestring import SafeString

from interactions.models import Interaction

# Given the interaction, a panel answers its HTML, escaped by its own template (render_to_string).
InteractionPanel = Callable[[Interaction], SafeString]
_interaction_panels: list[InteractionPanel] = []
_interaction_filters: list[type[ListFilter]] = []
# What people call a value the core keeps as a key: ("account", phone number id) → "+1 555 0100" (the channel),
# ("queue", key) → "Billing" (routing). None: not one of the labeller's.
Labeller = Callable[[str, str], str | None]
_labellers: list[Labeller] = []


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


def register_labeller(labeller: Labeller) -> None:
    if labeller not in _labellers:
        _labellers.append(labeller)


def label(kind: str, value: str) -> str:
    """The first registered label for the value, or the value itself."""
    if not value:
        return ""
    return next((named for labeller in _labellers if (named := labeller(kind, value))), value)
