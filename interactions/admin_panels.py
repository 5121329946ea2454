"""Sections other apps add to each interaction's record in the admin (routing: the routing history), so that the
core shows them without importing those apps. Registered at start-up (`AppConfig.ready`)."""

from collections.abc import Callable

from django.utils.safestring import SafeString

from interactions.models import Interaction

# Given the interaction, a panel answers its HTML, escaped by its own template (render_to_string).
InteractionPanel = Callable[[Interaction], SafeString]
_interaction_panels: list[InteractionPanel] = []


def register_interaction_panel(panel: InteractionPanel) -> None:
    if panel not in _interaction_panels:
        _interaction_panels.append(panel)


def interaction_panels(interaction: Interaction) -> list[SafeString]:
    return [panel(interaction) for panel in _interaction_panels]
