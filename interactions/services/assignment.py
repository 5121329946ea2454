"""Who works on an interaction: an agent who writes in one takes it on, or routing hands it to one.

Taking an unassigned conversation by writing in it is also routing's business (the conversation may be waiting for
an offer, the agent may hold all they can), and so is opening a new one of their own (outreach: within their
capacity too): routing registers a claim policy at start-up (`register_claim_policy` in its `AppConfig.ready`), as
it registers its audience policy, so this module never imports it.
"""

from collections.abc import Callable
from typing import Protocol

from django.contrib.auth.models import AbstractBaseUser

from interactions.models import Interaction, InteractionState
from interactions.services.lifecycle_listeners import announce_lifecycle_change, lifecycle_snapshot
from interactions.services.timeline import save_interaction_change

# Called under the interaction's lock when the writing agent is about to take it: raises `ActionRefused` to refuse,
# or records the taking (routing: the waiting work item accepted by the agent).
ClaimCheck = Callable[[Interaction], None]


class ClaimPolicy(Protocol):
    def prepare_claim(self, *, interaction_id: int, agent: AbstractBaseUser) -> ClaimCheck:
        """Inside the caller's transaction, before it locks the interaction: locks the rows deciding the claim needs
        (routing's come before the interaction's in the lock order) and returns the check to run under its lock."""
        ...

    def prepare_opening(self, *, agent: AbstractBaseUser) -> None:
        """Inside the caller's transaction, before it locks the customer: an agent about to open a new conversation
        (outreach), which will be theirs. Locks what deciding needs and raises `ActionRefused` to refuse."""
        ...


class ClaimsAnyway:
    """The default: whoever writes in an unassigned conversation takes it, as before routing."""

    def prepare_claim(self, *, interaction_id: int, agent: AbstractBaseUser) -> ClaimCheck:
        return _no_check

    def prepare_opening(self, *, agent: AbstractBaseUser) -> None:
        return None


def _no_check(interaction: Interaction) -> None:
    return None


_claim_policy: ClaimPolicy = ClaimsAnyway()


def register_claim_policy(policy: ClaimPolicy) -> None:
    """One policy at a time: the last registered wins (routing's, once its app is ready)."""
    global _claim_policy
    _claim_policy = policy


def prepare_claim(*, interaction_id: int, agent: AbstractBaseUser) -> ClaimCheck:
    """Before an agent's message locks the interaction it may take: see `ClaimPolicy.prepare_claim`."""
    return _claim_policy.prepare_claim(interaction_id=interaction_id, agent=agent)


def prepare_opening(*, agent: AbstractBaseUser) -> None:
    """Before an agent opens a conversation of their own: see `ClaimPolicy.prepare_opening`."""
    _claim_policy.prepare_opening(agent=agent)


def claim_interaction(*, interaction: Interaction, agent: AbstractBaseUser, check: ClaimCheck = _no_check) -> None:
    """A new interaction becomes work in progress, and an unassigned one the writing agent's once `check` (from
    `prepare_claim`) lets them take it; one already assigned stays with its agent (a colleague helping out does not
    take it over). An interaction the agent has just opened needs no check: nobody else waits for it.

    The caller holds the interaction's lock; only the fields that change are saved.
    """
    if interaction.assigned_to_id is None:
        check(interaction)  # may refuse, or hand it to the agent itself (an accept)
    before = lifecycle_snapshot(interaction)
    changed = []
    if interaction.state == InteractionState.NEW:
        interaction.state = InteractionState.WORK_IN_PROGRESS
        changed.append("state")
    if interaction.assigned_to_id is None:
        interaction.assigned_to = agent
        changed.append("assigned_to")
    if interaction.automated_responder:  # a person who writes takes over from the virtual agent
        interaction.automated_responder = ""
        changed.append("automated_responder")
    if changed:
        interaction.save(update_fields=changed)
        announce_lifecycle_change(interaction, before=before)


def assign_interaction(*, interaction: Interaction, agent: AbstractBaseUser) -> AbstractBaseUser | None:
    """Hands an open interaction to an agent (routing: an accepted offer, a supervisor's reassignment), taking it
    from whoever held it: work in progress, theirs, and no longer the automated responder's (as when they write).
    Returns the previous agent.

    The caller holds the interaction's lock (`timeline.lock_interaction`).
    """
    before = lifecycle_snapshot(interaction)
    previous = interaction.assigned_to
    interaction.assigned_to = agent
    if interaction.state == InteractionState.NEW:
        interaction.state = InteractionState.WORK_IN_PROGRESS
    interaction.automated_responder = ""
    save_interaction_change(interaction, fields=["assigned_to", "state", "automated_responder"])
    announce_lifecycle_change(interaction, before=before)
    return previous
