"""Handing a conversation to people: routing queues it with the topic (routing rules may pick a queue by it) and a
summary of what the virtual agent collected, which the agent sees on the offer and as a note in the timeline. With
nobody to answer (no queue, the queue closed, every agent busy) the customer is told, with their place in line
and the expected wait where routing knows it, and offered a case instead. A conversation an agent handed back
returns to that agent."""

import math
from datetime import timedelta

from django.utils import timezone

from interactions.customer_formats import customer_time
from interactions.models import Interaction
from interactions.people import name_for_customers
from interactions.services.notes import add_automated_note
from interactions.services.responders import release_from_responder
from routing.business_hours import next_opening
from routing.models import Queue
from routing.policies.capacity import AgentStanding, agent_standings, queues_served
from routing.services.queueing import opening_hours_of, queue_for, queue_is_open, route_interaction, routing_facts
from routing.services.waiting_time import place_in_line
from virtual_agent.answers import CustomerAnswer
from virtual_agent.engine import OFFER_CASE, Asked, Conversation
from virtual_agent.front_door import VIRTUAL_AGENT
from virtual_agent.models import SessionState, Topic
from virtual_agent.phrases import phrase

LIVE_AGENT_TOPIC = "live-agent"
CASE_TOPIC = "report-problem"
FAILED_TURN_SUMMARY = "Virtual agent: it failed on the customer's last message; please read the conversation."


def answers_text(answers: dict) -> str:
    """Each answer by name (a choice by its title), as the agent reads them."""
    parts = []
    for key, value in answers.items():
        if key.endswith("_title") or key == "catalog_answers" or value in ("", None):
            continue
        parts.append(f"{key.replace('_', ' ').capitalize()}: {answers.get(f'{key}_title', value)}")
    return "; ".join(parts)


def summary_of(conversation: Conversation, topic_key: str) -> str:
    """One paragraph for the offer: the topic it hands over from with its answers, then the topics done before."""
    session = conversation.session
    topic = session.topic or Topic.objects.filter(key=topic_key).first()
    current = answers_text(session.answers)
    summary = f"Virtual agent: {topic.name if topic else topic_key}." + (f" {current.rstrip('.')}." if current else "")
    done = session.context.get("done", [])
    if done:
        summary += " Earlier: " + " ".join(done)
    return summary


def agents_serving(queue: Queue) -> list[AgentStanding]:
    """Where each agent serving `queue` stands: asked once, both whether one may take it now and how many serve it
    (the wait estimate)."""
    return agent_standings(served=queues_served(queue_ids=[queue.pk]))


def agent_available(queue: Queue, serving: list[AgentStanding]) -> bool:
    return any(standing.may_take(queue.pk) for standing in serving)


def busy_text(conversation: Conversation, queue: Queue, *, serving: int) -> str:
    """Their place in line, and the expected wait when routing can estimate it."""
    line = place_in_line(queue, serving=serving)
    text = conversation.phrase_for("handoff_busy", position=line.position)
    if line.expected_wait is not None:
        wait = wait_words(line.expected_wait, conversation.phrases)
        text += " " + conversation.phrase_for("expected_wait", wait=wait)
    return text


def wait_words(wait: timedelta, phrases: dict | None = None) -> str:
    """Rounded as people say it: under a minute, to the minute below ten, to five minutes below the hour, then
    to the hour; in the language whose `phrases` are given."""
    minutes = wait.total_seconds() / 60
    if minutes < 1:
        return phrase("wait_under_a_minute", phrases)
    if minutes < 1.5:
        return phrase("wait_a_minute", phrases)
    if minutes < 9.5:
        return phrase("wait_minutes", phrases, minutes=_nearest(minutes))
    if minutes < 57.5:
        return phrase("wait_minutes", phrases, minutes=_nearest(minutes, step=5))
    if minutes < 90:
        return phrase("wait_an_hour", phrases)
    return phrase("wait_hours", phrases, hours=_nearest(minutes / 60))


def _nearest(value: float, *, step: int = 1) -> int:
    """Halves up, as people round (Python's round() takes 2.5 to 2)."""
    return step * math.floor(value / step + 0.5)


def hand_over(conversation: Conversation, *, topic_key: str) -> None:
    interaction = conversation.interaction
    summary = summary_of(conversation, topic_key)
    if interaction.assigned_to_id is not None:  # an agent handed it back to us: it returns to them
        agent = name_for_customers(interaction.assigned_to, otherwise="an agent")
        conversation.say(conversation.phrase_for("handoff_back", agent=agent))
        _let_go(conversation, summary=summary)
        return
    queue = queue_for(routing_facts(interaction=interaction, handoff_topic=topic_key))
    if queue is None:
        why = conversation.phrase_for("no_agents")
    elif not queue_is_open(queue):
        # Its own words and the next opening: the queue's out-of-hours message follows if the customer waits.
        why = conversation.phrase_for("out_of_hours")
        opening = next_opening(opening_hours_of(queue), after=timezone.now())
        if opening is not None:
            why += " " + conversation.phrase_for(
                "opens_at", at=f"{opening:%A} {customer_time(opening)} ({queue.time_zone})"
            )
    elif not agent_available(queue, serving := agents_serving(queue)):
        why = busy_text(conversation, queue, serving=len(serving))
    else:
        conversation.say(conversation.phrase_for("handoff"))
        _route(conversation, topic_key=topic_key, summary=summary)
        return
    conversation.say(why)
    conversation.yes_no(conversation.phrase_for("offer_case"), OFFER_CASE)
    conversation.session.context["handoff"] = {"topic": topic_key, "summary": summary,
                                               "queue_open": bool(queue and queue_is_open(queue))}  # fmt: skip


def answer_offer_case(conversation: Conversation, answer: CustomerAnswer, asked: Asked) -> None:
    chosen = conversation.chosen(answer, asked)
    handoff = conversation.session.context.get("handoff", {})
    if chosen == "yes":
        conversation.understood()
        topic = Topic.objects.filter(key=CASE_TOPIC, is_active=True).first()
        if topic is not None:
            conversation.start_topic(topic)
            return
        chosen = "no"
    if chosen == "no":
        if handoff.get("queue_open"):
            conversation.say(conversation.phrase_for("will_wait"))
        _route(conversation, topic_key=handoff.get("topic", LIVE_AGENT_TOPIC), summary=handoff.get("summary", ""))


def _let_go(conversation: Conversation, *, summary: str) -> None:
    """The virtual agent's part ends: its last words go out, its summary stays in the timeline for the agent."""
    conversation.session.state = SessionState.HANDED_OFF
    conversation.flush()
    interaction = conversation.interaction
    if summary:
        add_automated_note(interaction=interaction, text=summary, automated=VIRTUAL_AGENT)
    release_from_responder(interaction)


def _route(conversation: Conversation, *, topic_key: str, summary: str) -> None:
    _let_go(conversation, summary=summary)
    route_interaction(interaction=conversation.interaction, handoff_topic=topic_key, summary=summary)


def hand_over_after_failure(conversation: Conversation) -> None:
    """A turn failed (the engine logged it and rolled it back): the customer hears an apology and people take the
    conversation as it stands: the agent who handed it back, else routing."""
    conversation.say(conversation.phrase_for("turn_failed"))
    _let_go(conversation, summary=FAILED_TURN_SUMMARY)
    if conversation.interaction.assigned_to_id is None:
        route_interaction(interaction=conversation.interaction, handoff_topic=LIVE_AGENT_TOPIC,
                          summary=FAILED_TURN_SUMMARY)  # fmt: skip


def route_now(interaction: Interaction) -> None:
    """Out of hours only, and the queue is open: routing takes the conversation as if the virtual agent were off."""
    release_from_responder(interaction)
    route_interaction(interaction=interaction)
