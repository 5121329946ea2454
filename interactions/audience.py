"""Who may see which interaction, and the live groups that carry its pushes to them.

The core asks, a policy answers: routing registers its rules at start-up (`register_audience_policy` in its
`AppConfig.ready`), as a channel registers its adapter. Without one the desk stays open as it always was: everyone
who may view interactions sees them all. Whatever the policy, managers and admins see everything (`supervisors`)
and every user hears what is addressed to them alone (`user.<id>`).

A live group is a name, never a Redis channel of its own: an event is published once with the groups allowed to
see it, and each server process hands it to the sockets whose user is in one of them (`live_fanout`).
"""

from collections.abc import Collection
from typing import Protocol

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from interactions.models import Interaction
from interactions.roles import SUPERVISOR, viewing_role

SUPERVISORS_GROUP = "supervisors"
# The open desk's one group: every socket of someone who may view interactions (the default policy).
EVERYONE_GROUP = "workspace"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def queue_group(queue_key: str) -> str:
    return f"queue.{queue_key}"


class AudiencePolicy(Protocol):
    # Whether an interaction assigned to an agent is theirs alone to act in for the customer (write to them, react,
    # retry, hold, resume, close): a colleague who sees it reads along and leaves internal notes. An unassigned one
    # is anyone's who sees it (writing claims it).
    only_assignee_acts: bool

    def interaction_groups(self, interaction_ids: Collection[int]) -> dict[int, set[str]]:
        """Besides `supervisors`, the groups whose members may see each interaction, as this transaction sees it
        (so a push made with a change goes to the audience after the change). Ids not found may be left out."""
        ...

    def user_groups(self, user: AbstractBaseUser) -> set[str]:
        """Besides `user.<id>` (and `supervisors` for managers), the groups of a user who may view interactions."""
        ...

    def visible_interactions(self, user: AbstractBaseUser, queryset: QuerySet[Interaction]) -> QuerySet[Interaction]:
        """The part of `queryset` an agent (someone who may view interactions but does not supervise) may see;
        agrees with `interaction_groups` and `user_groups`."""
        ...


class OpenDesk:
    """The default: every conversation is everyone's, as before routing; a colleague helping out may write in it."""

    only_assignee_acts = False

    def interaction_groups(self, interaction_ids: Collection[int]) -> dict[int, set[str]]:
        return {interaction_id: {EVERYONE_GROUP} for interaction_id in interaction_ids}

    def user_groups(self, user: AbstractBaseUser) -> set[str]:
        return {EVERYONE_GROUP}

    def visible_interactions(self, user: AbstractBaseUser, queryset: QuerySet[Interaction]) -> QuerySet[Interaction]:
        return queryset


DEFAULT_POLICY = OpenDesk()
_policy: AudiencePolicy = DEFAULT_POLICY


def register_audience_policy(policy: AudiencePolicy) -> None:
    """One policy at a time: the last registered wins (routing's, once its app is ready)."""
    global _policy
    _policy = policy


def audience_policy() -> AudiencePolicy:
    return _policy


def groups_for_interactions(interaction_ids: Collection[int]) -> dict[int, frozenset[str]]:
    """The live audience of many interactions at once (a batch's pushes): what the policy reads, once for all."""
    ids = set(interaction_ids)
    if not ids:
        return {}
    answers = _policy.interaction_groups(ids)
    return {pk: frozenset({SUPERVISORS_GROUP, *answers.get(pk, ())}) for pk in ids}


def groups_for_interaction(interaction: Interaction) -> set[str]:
    return set(groups_for_interactions([interaction.pk])[interaction.pk])


def groups_for_user(user: AbstractBaseUser | AnonymousUser) -> set[str]:
    """The groups whose events a user's sockets hear; none for someone who may not view interactions."""
    role = viewing_role(user)
    if role is None:
        return set()
    if role == SUPERVISOR:
        return {user_group(user.pk), SUPERVISORS_GROUP, *_policy.user_groups(user)}
    return {user_group(user.pk), *_policy.user_groups(user)}


def visible_interactions(
    user: AbstractBaseUser | AnonymousUser, queryset: QuerySet[Interaction]
) -> QuerySet[Interaction]:
    """Every read that lists or shows interactions (or their messages, files, typing) goes through this."""
    role = viewing_role(user)
    if role is None:
        return queryset.none()
    if role == SUPERVISOR:
        return queryset
    return _policy.visible_interactions(user, queryset)


def held_by_someone_else(user: AbstractBaseUser, interaction: Interaction) -> bool:
    """The interaction is another agent's and the policy keeps it theirs: `user` may read along and note, not act
    in it for the customer. Ask it of the interaction as locked for the act, so a reassignment cannot slip in."""
    assignee_id = interaction.assigned_to_id
    return _policy.only_assignee_acts and assignee_id is not None and assignee_id != user.pk


def may_see_interaction(user: AbstractBaseUser | AnonymousUser, interaction: Interaction) -> bool:
    return visible_interactions(user, Interaction.objects.filter(pk=interaction.pk)).exists()
