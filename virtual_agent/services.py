"""An agent hands a conversation back to the virtual agent (to run a topic, say the catalog, with the customer) and
takes it again. The conversation stays the agent's while the virtual agent talks: when it is done it returns to
them, with what it collected as a note."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from interactions.models import Interaction
from interactions.services.assignment import claim_interaction, prepare_claim
from interactions.services.outbound import ActionRefused, lock_interaction_to_act
from interactions.services.responders import hand_to_responder, release_from_responder
from virtual_agent.engine import restart_session
from virtual_agent.front_door import VIRTUAL_AGENT
from virtual_agent.models import Session, SessionState, Topic


@transaction.atomic
def hand_to_virtual_agent(*, interaction: Interaction, agent: AbstractBaseUser, topic_key: str = "") -> Session:
    """The virtual agent takes over at once: the topic's first question, or its menu."""
    interaction = lock_interaction_to_act(interaction.pk, agent=agent, action="hand conversations to the virtual agent")
    if not interaction.is_open:
        raise ActionRefused(f"Interaction {interaction.number} is closed.")
    if interaction.automated_responder == VIRTUAL_AGENT:
        raise ActionRefused(f"Interaction {interaction.number} is already with the virtual agent.")
    topic = None
    if topic_key:
        topic = Topic.objects.filter(key=topic_key, is_active=True).first()
        if topic is None:
            raise ActionRefused(f"The virtual agent has no topic {topic_key!r}.")
    hand_to_responder(interaction)
    return restart_session(interaction, topic=topic)


@transaction.atomic
def take_from_virtual_agent(*, interaction: Interaction, agent: AbstractBaseUser) -> Interaction:
    """The agent takes the conversation (again): the virtual agent stops where it was."""
    check_claim = prepare_claim(interaction_id=interaction.pk, agent=agent)  # its locks come before the interaction's
    interaction = lock_interaction_to_act(interaction.pk, agent=agent, action="take conversations")
    if interaction.automated_responder != VIRTUAL_AGENT:
        raise ActionRefused(f"Interaction {interaction.number} is not with the virtual agent.")
    Session.objects.filter(interaction=interaction).update(state=SessionState.HANDED_OFF)
    release_from_responder(interaction)
    claim_interaction(interaction=interaction, agent=agent, check=check_claim)
    return interaction
