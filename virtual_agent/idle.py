"""A customer who stops answering the virtual agent: a reminder after routing's idle time, then the conversation
closes as abandoned after the closing time, as routing does for an agent's conversations (the same configured
times, reason and wording: routing/configuration.py). Decided under the interaction's lock, so a sweep run twice
sends each once; a customer's answer (even one the listener has not read yet) stops the clock."""

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from interactions.models import OPEN_STATES, InteractionState
from interactions.services.automated_replies import queue_automated_reply
from interactions.services.lifecycle import close_interaction
from interactions.services.timeline import lock_interaction
from routing.configuration import routing_configuration
from routing.services.idle import IDLE_STATE_REASON, IdleSweep
from virtual_agent.engine import phrases_of
from virtual_agent.front_door import VIRTUAL_AGENT
from virtual_agent.models import Session, SessionState
from virtual_agent.phrases import phrase

logger = logging.getLogger(__name__)
SWEEP_BATCH = 200


@transaction.atomic
def settle_idle_session(*, session_id: int, now: datetime) -> str:
    """ "reminded", "closed" or "" (nothing due)."""
    configuration = routing_configuration()
    interaction_id = Session.objects.values_list("interaction_id", flat=True).get(pk=session_id)
    interaction = lock_interaction(interaction_id)
    session = Session.objects.get(pk=session_id)
    if session.state != SessionState.ACTIVE:
        return ""
    if not interaction.is_open or interaction.automated_responder != VIRTUAL_AGENT:
        # A person took it (by writing, accepting, taking it back) or it closed: the session is over.
        session.state = SessionState.HANDED_OFF if interaction.is_open else SessionState.ENDED
        session.save(update_fields=["state", "updated_at"])
        return ""
    if session.last_prompt_at is None:
        return ""
    last_inbound_at = interaction.channel_user.last_inbound_at
    if last_inbound_at is not None and last_inbound_at > session.last_prompt_at:
        return ""  # they answered; the listener has it
    phrases = phrases_of(session.language)
    if session.reminded_at is None:
        if now - session.last_prompt_at < configuration.idle_reminder_after:
            return ""
        queue_automated_reply(interaction=interaction, text=phrase("reminder", phrases), purpose=VIRTUAL_AGENT)
        session.reminded_at = now
        session.save(update_fields=["reminded_at", "updated_at"])
        return "reminded"
    if now - session.reminded_at < configuration.idle_close_after:
        return ""
    queue_automated_reply(interaction=interaction, text=phrase("abandoned", phrases), purpose=VIRTUAL_AGENT)
    close_interaction(
        interaction=interaction, by=None, state=InteractionState.CLOSED_ABANDONED, state_reason=IDLE_STATE_REASON
    )
    session.state = SessionState.ENDED
    session.save(update_fields=["state", "updated_at"])
    return "closed"


def remind_or_close_idle_sessions(*, now: datetime | None = None) -> IdleSweep:
    now = now or timezone.now()
    due = now - routing_configuration().idle_reminder_after
    active = Session.objects.filter(state=SessionState.ACTIVE)
    still_ours = Q(interaction__automated_responder=VIRTUAL_AGENT, interaction__state__in=OPEN_STATES)
    # Sessions people took over or that closed are settled (ended) too, but never fill the batch of those due.
    session_ids = list(
        active.filter(still_ours, last_prompt_at__lte=due)
        .order_by("last_prompt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    ) + list(active.exclude(still_ours).order_by("pk").values_list("pk", flat=True)[:SWEEP_BATCH])
    outcomes = []
    for session_id in session_ids:
        try:
            outcomes.append(settle_idle_session(session_id=session_id, now=now))
        except Exception:
            logger.exception("settling the virtual agent's idle session %s failed; the next sweep tries", session_id)
    return IdleSweep(reminded=outcomes.count("reminded"), closed=outcomes.count("closed"))
