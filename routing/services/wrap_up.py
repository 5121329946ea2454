"""Wrap-up: the agent who closed a conversation records how it ended (a resolution code, notes).

Due within `routing_configuration().wrap_up_within` of the closure; a late one is still taken, marked late, so
reports never lose it. Conversations the system closed (an idle customer) need none. The list of those still owed,
with the overdue ones marked, is `wrap_ups_due`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from interactions.models import CLOSED_STATES, Interaction
from interactions.people import person_name
from interactions.roles import may_send_messages
from interactions.services.outbound import ActionRefused, MessageRefused
from interactions.services.timeline import lock_interaction, save_interaction_change
from routing.configuration import routing_configuration
from routing.models import ResolutionCode, WrapUp

WRAP_UP_NOTES_LIMIT = 4000
WRAP_UPS_DUE_LIMIT = 200
# A wrap-up still missing a week after the closure is no longer chased: the list stays short and its read cheap.
WRAP_UPS_CHASED_FOR = timedelta(days=7)


def wrap_up_due_at(interaction: Interaction) -> datetime:
    return interaction.closed_at + routing_configuration().wrap_up_within


@transaction.atomic
def wrap_up_interaction(
    *, interaction: Interaction, agent: AbstractBaseUser, resolution_code: ResolutionCode, notes: str = ""
) -> WrapUp:
    """Once per interaction, by the agent who closed it; decided under the interaction's lock, so two submissions
    (a double click, two tabs) record one."""
    if not may_send_messages(agent):
        raise ActionRefused("Only agents wrap up conversations.")
    notes = notes.strip()
    if len(notes) > WRAP_UP_NOTES_LIMIT:
        raise MessageRefused(f"The notes are {len(notes)} characters long; at most {WRAP_UP_NOTES_LIMIT} are kept.")
    if not resolution_code.is_active:
        raise MessageRefused(f"The resolution code {resolution_code} is no longer in use; choose another.")
    interaction = lock_interaction(interaction.pk)
    if interaction.is_open:
        raise ActionRefused(f"Interaction {interaction.number} is still open; wrap it up once you have closed it.")
    if interaction.closed_by_id is None:
        raise ActionRefused(
            f"Interaction {interaction.number} was closed by the system ({interaction.state_reason}); "
            "it needs no wrap-up."
        )
    if interaction.closed_by_id != agent.pk:
        raise ActionRefused(
            f"Interaction {interaction.number} was closed by {person_name(interaction.closed_by)}, who wraps it up."
        )
    if WrapUp.objects.filter(interaction=interaction).exists():
        raise ActionRefused(f"Interaction {interaction.number} is already wrapped up.")
    now = timezone.now()
    wrap_up = WrapUp.objects.create(
        interaction=interaction,
        agent=agent,
        resolution_code=resolution_code,
        notes=notes,
        at=now,
        late=now > wrap_up_due_at(interaction),
    )
    # The interaction's next revision, pushed: a supervisor reading along sees the routing history end with it.
    save_interaction_change(interaction)
    return wrap_up


@dataclass(frozen=True, slots=True, kw_only=True)
class WrapUpDue:
    interaction: Interaction  # with its channel user and the agent who closed it
    due_at: datetime
    overdue: bool


def wrap_ups_due(*, agent: AbstractBaseUser | None = None, now: datetime | None = None) -> list[WrapUpDue]:
    """Conversations an agent closed and has not wrapped up (one agent's, or everyone's for a supervisor), the
    oldest first, each with when it is due and whether that has passed (those closed over a week ago are left out)."""
    now = now or timezone.now()
    owed = Interaction.objects.filter(
        state__in=CLOSED_STATES,
        closed_by__isnull=False,
        closed_at__gte=now - WRAP_UPS_CHASED_FOR,
        wrap_up__isnull=True,
    )
    if agent is not None:
        owed = owed.filter(closed_by=agent)
    rows = owed.select_related("channel_user", "closed_by").order_by("closed_at", "pk")[:WRAP_UPS_DUE_LIMIT]
    due = []
    for interaction in rows:
        due_at = wrap_up_due_at(interaction)
        due.append(WrapUpDue(interaction=interaction, due_at=due_at, overdue=now > due_at))
    return due
