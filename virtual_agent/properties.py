"""The virtual agent's master switch, over its per-number settings (README, System properties)."""

from properties.registry import Kind, Property

ENABLED = Property(
    key="virtual_agent.enabled",
    label="Virtual agent",
    group="Virtual agent",
    kind=Kind.BOOLEAN,
    default=True,
    description="On: the virtual agent answers new conversations on the business numbers set to use it. Off: every "
    "new conversation goes straight to the queues; conversations it already has carry on until they end.",
)
