"""Customers who stop answering: a reminder, then the conversation closes as abandoned.

The clock starts at the agent's last message: once the customer has not answered it for `idle_reminder_after`,
they get the reminder (however late the sweep comes, before anything closes); `idle_close_after` after the reminder
(or after it was due, when it could not go), the
conversation closes as `closed_abandoned` ("customer stopped answering"), with the closing message if one is
configured. Both are the desk's automated replies (`queue_automated_reply`): the 24-hour window and the customer's
opt-out decide, as for an agent's reply, and the close does not wait on them. Each step is decided under the
interaction's lock from what the timeline holds, so a sweep that runs twice, or two at once, sends each once. A
customer who answers stops the clock; the agent's next message starts it again.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from interactions.models import Direction, Interaction, InteractionState, Message
from interactions.services.automated_replies import queue_automated_reply
from interactions.services.lifecycle import close_interaction
from interactions.services.timeline import lock_interaction
from routing.configuration import RoutingConfiguration, routing_configuration

logger = logging.getLogger(__name__)

IDLE_STATE_REASON = "customer stopped answering"
REMINDER = "idle_reminder"  # the purpose its message records (`content["automated"]`)
CLOSING = "idle_closing"
SWEEP_BATCH = 200  # interactions settled per sweep; the next sweep takes the rest
# An agent is waiting for the customer's answer in these; a new one has had no agent message yet.
WAITING_STATES = (InteractionState.WORK_IN_PROGRESS, InteractionState.ON_HOLD)


@dataclass(frozen=True, slots=True)
class IdleSweep:
    reminded: int
    closed: int


def _agents_messages(interaction_id: int | OuterRef) -> QuerySet[Message]:
    return Message.objects.filter(
        interaction_id=interaction_id, direction=Direction.OUTBOUND, author__isnull=False
    ).order_by("-sequence")


def idle_interaction_ids(*, now: datetime, configuration: RoutingConfiguration) -> list[int]:
    """Open interactions whose agent's last message has gone unanswered for at least the reminder time, longest
    first: each is then due a reminder or, reminded long enough ago, closing."""
    last_agent_message = _agents_messages(OuterRef("pk"))
    last_customer_message = Message.objects.filter(interaction_id=OuterRef("pk"), direction=Direction.INBOUND).order_by(
        "-sequence"
    )
    return list(
        Interaction.objects.filter(state__in=WAITING_STATES)
        .annotate(
            agent_sequence=Subquery(last_agent_message.values("sequence")[:1]),
            agent_wrote_at=Subquery(last_agent_message.values("sent_at")[:1]),
            customer_sequence=Coalesce(Subquery(last_customer_message.values("sequence")[:1]), 0),
        )
        .filter(agent_wrote_at__lte=now - configuration.idle_reminder_after, agent_sequence__gt=F("customer_sequence"))
        .order_by("agent_wrote_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


@transaction.atomic
def settle_idle_interaction(*, interaction_id: int, now: datetime | None = None) -> str:
    """Reminds or closes one interaction if it is (still) idle, decided under its lock. Returns "reminded",
    "closed" or "" (nothing due: the customer answered, the agent wrote again, it closed meanwhile)."""
    now = now or timezone.now()
    configuration = routing_configuration()
    interaction = lock_interaction(interaction_id)
    if interaction.state not in WAITING_STATES:
        return ""
    agent_message = _agents_messages(interaction.pk).first()
    if agent_message is None:
        return ""
    since_agent = interaction.messages.filter(sequence__gt=agent_message.sequence)
    if since_agent.filter(direction=Direction.INBOUND).exists():
        return ""
    reminder_due_at = agent_message.sent_at + configuration.idle_reminder_after
    if now < reminder_due_at:
        return ""
    reminder = since_agent.filter(direction=Direction.OUTBOUND, content__automated=REMINDER).first()
    if reminder is None:
        # Sent late (a sweep missed, the idle times shortened), the customer still gets their full close time after
        # it. None when it may not go (the window closed, an opt-out): the conversation still closes on time.
        sent = queue_automated_reply(interaction=interaction, text=configuration.idle_reminder_text, purpose=REMINDER)
        if sent is not None:
            return "reminded"
        if now < reminder_due_at + configuration.idle_close_after:
            return ""
    elif now < reminder.sent_at + configuration.idle_close_after:
        return ""
    if configuration.idle_closing_text.strip():
        queue_automated_reply(interaction=interaction, text=configuration.idle_closing_text, purpose=CLOSING)
    close_interaction(
        interaction=interaction, by=None, state=InteractionState.CLOSED_ABANDONED, state_reason=IDLE_STATE_REASON
    )
    return "closed"


def remind_or_close_idle_interactions(*, now: datetime | None = None) -> IdleSweep:
    """The periodic sweep (routing/lifecycle_tasks.py): each idle interaction in its own transaction, so one that
    fails (logged) holds up neither the others nor the next sweep."""
    now = now or timezone.now()
    outcomes = []
    for interaction_id in idle_interaction_ids(now=now, configuration=routing_configuration()):
        try:
            outcomes.append(settle_idle_interaction(interaction_id=interaction_id, now=now))
        except Exception:
            logger.exception("settling idle interaction %s failed; the next sweep tries again", interaction_id)
    return IdleSweep(reminded=outcomes.count("reminded"), closed=outcomes.count("closed"))
