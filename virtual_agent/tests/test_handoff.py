"""Handing over: to routing with the topic and a summary (routing rules can pick the queue by the topic); nobody
available, or out of hours: told and offered a case; an agent hands a conversation back and takes it again; out of
hours only: routing has the conversation while the queue is open; idle customers are reminded, then closed."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from customer_service.models import Case
from interactions.models import Direction, InteractionState, Message, MessageKind
from interactions.services.lifecycle import close_interaction
from interactions.services.outbound import send_agent_reply
from routing.models import RuleCondition, WorkItem, WorkItemState
from routing.policies.capacity import agent_standings
from routing.services.assignment import accept_offer, offer_next_items
from routing.tests.factories import QueueFactory, RoutingRuleFactory, WorkItemFactory, serving_agent
from virtual_agent.handoff import wait_words
from virtual_agent.idle import remind_or_close_idle_sessions
from virtual_agent.models import BusinessNumberSetting, FrontDoorMode, Session, SessionState
from virtual_agent.services import hand_to_virtual_agent, take_from_virtual_agent
from virtual_agent.tests.conversing import Customer, titles

pytestmark = pytest.mark.django_db

CLOSED_ALL_WEEK = {day: [] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture
def switched_on():
    return BusinessNumberSetting.objects.create(account_id="", mode=FrontDoorMode.ALWAYS)


def test_the_summary_names_each_answer_and_reads_as_sentences(switched_on):
    serving_agent(QueueFactory(key="general", is_default=True))
    customer = Customer()
    customer.says("The armrest of the office chair I got yesterday is broken.")

    customer.says("agent")

    assert WorkItem.objects.get().summary == (
        "Virtual agent: Report a problem. Short description: The armrest of the office chair I got yesterday is broken."
    )


def test_the_summary_says_a_photo_was_sent_not_the_messages_id(switched_on):
    serving_agent(QueueFactory(key="general", is_default=True))
    customer = Customer()
    customer.says("The armrest of the office chair I got yesterday is broken.")
    customer.sends_photo()

    customer.says("agent")

    summary = WorkItem.objects.get().summary
    assert "Attachment: image sent;" in summary and f"Attachment: {Message.objects.get(kind='image').pk}" not in summary


def test_asking_for_an_agent_hands_over_with_the_topic_and_a_summary(switched_on):
    general = QueueFactory(key="general", is_default=True)
    billing = QueueFactory(key="billing")
    RoutingRuleFactory(condition=RuleCondition.HANDOFF_TOPIC, value="report-problem", queue=billing)
    serving_agent(billing)
    customer = Customer()
    customer.says("Hi")
    customer.taps("report-problem")
    [told] = customer.says("agent")

    assert told.text == "I'm connecting you with a live agent. Please wait a moment."
    interaction = customer.interaction
    assert interaction.automated_responder == ""
    item = WorkItem.objects.get(interaction=interaction)
    assert item.queue == billing and item.queue != general
    assert item.handoff_topic == "report-problem"
    assert item.summary.startswith("Virtual agent: Report a problem.")
    note = interaction.messages.get(direction=Direction.INTERNAL)
    assert note.text == item.summary and note.content == {"automated": "virtual_agent"}
    assert Session.objects.get().state == SessionState.HANDED_OFF
    assert customer.says("Hello?") == []  # routing's now: the virtual agent says nothing more


def test_with_every_agent_busy_the_customer_hears_their_place_and_is_offered_a_case(switched_on):
    QueueFactory(key="general", is_default=True)
    customer = Customer()
    customer.says("Hi")
    [offer] = customer.says("human")
    assert offer.content["body"].startswith("All our agents are busy right now; you are number 1 in line.")
    assert "wait" not in offer.content["body"]  # no history to estimate from: nothing said about time
    assert titles(offer) == ["Yes", "No"]
    [ask] = customer.taps("Yes")
    assert "describe the problem" in ask.text
    customer.says("The invoice is wrong")
    customer.says("skip")
    assert Case.objects.get().short_description == "The invoice is wrong"
    assert not WorkItem.objects.exists()


def test_with_every_agent_busy_the_customer_hears_the_expected_wait_from_the_queues_recent_history(switched_on):
    general = QueueFactory(key="general", is_default=True)
    for minutes in (4, 5, 7):
        accepted_at = timezone.now() - timedelta(minutes=20)
        WorkItemFactory(queue=general, state=WorkItemState.ACCEPTED, queued_at=accepted_at - timedelta(minutes=minutes),
                        accepted_at=accepted_at)  # fmt: skip
    WorkItemFactory(queue=general)  # someone already waits
    customer = Customer()
    customer.says("Hi")

    [offer] = customer.says("agent")

    assert offer.content["body"].startswith(
        "All our agents are busy right now; you are number 2 in line. The expected wait is about 10 minutes.\n"
    )


def test_a_busy_handoff_asks_where_the_agents_stand_once(switched_on, monkeypatch):
    general = QueueFactory(key="general", is_default=True)
    asked = []

    def counted(**kwargs):
        asked.append(kwargs)
        return agent_standings(**kwargs)

    monkeypatch.setattr("virtual_agent.handoff.agent_standings", counted)
    monkeypatch.setattr("routing.services.waiting_time.agent_standings", counted)
    customer = Customer()
    customer.says("Hi")

    [offer] = customer.says("agent")

    assert offer.content["body"].startswith("All our agents are busy right now; you are number 1 in line.")
    assert len(asked) == 1 and list(asked[0]["served"]) in ([], [general.pk])


@pytest.mark.parametrize(
    ("wait", "said"),
    [
        (timedelta(seconds=40), "less than a minute"),
        (timedelta(seconds=80), "about a minute"),
        (timedelta(minutes=4, seconds=20), "about 4 minutes"),
        (timedelta(minutes=23), "about 25 minutes"),
        (timedelta(minutes=58), "about an hour"),
        (timedelta(minutes=150), "about 3 hours"),
    ],
)
def test_the_wait_is_said_rounded_as_people_say_it(wait, said):
    assert wait_words(wait) == said


def test_out_of_hours_the_customer_is_told_when_it_opens_and_may_wait_for_the_opening(switched_on):
    tomorrow = timezone.localtime(timezone.now(), ZoneInfo("America/New_York")) + timedelta(days=1)
    QueueFactory(key="general", is_default=True, time_zone="America/New_York",
                 business_hours={f"{tomorrow:%a}".lower(): [["09:00", "17:00"]]})  # closed all of today  # fmt: skip
    customer = Customer()
    customer.says("Hi")
    [offer] = customer.says("agent")
    body = offer.content["body"]
    assert body.startswith(f"Our agents are not available right now. We open again {tomorrow:%A} 09:00")
    assert "(America/New_York)" in body


def test_out_of_hours_and_never_open_the_customer_may_still_wait(switched_on):
    QueueFactory(key="general", is_default=True, business_hours=CLOSED_ALL_WEEK,
                 out_of_hours_message="We are closed; we open Monday at 9.")  # fmt: skip
    customer = Customer()
    customer.says("Hi")
    [offer] = customer.says("agent")
    assert offer.content["body"].startswith("Our agents are not available right now.")
    [closed] = customer.taps("No")
    assert closed.text == "We are closed; we open Monday at 9."  # the queue's own message, once
    item = WorkItem.objects.get()
    assert item.state == WorkItemState.QUEUED
    assert customer.interaction.automated_responder == ""


def test_with_routing_off_nobody_is_available(switched_on):
    customer = Customer()
    customer.says("Hi")
    [offer] = customer.says("agent")
    assert offer.content["body"].startswith("No live agent is available right now.")


def test_set_to_answer_out_of_hours_only_it_stays_aside_while_the_queue_is_open(settings):
    BusinessNumberSetting.objects.create(account_id=settings.WHATSAPP_PHONE_NUMBER_ID, mode=FrontDoorMode.OUT_OF_HOURS)
    QueueFactory(key="general", is_default=True)
    customer = Customer()
    assert customer.says("Hi") == []
    assert customer.interaction.automated_responder == ""
    assert WorkItem.objects.get().interaction == customer.interaction


def test_set_to_answer_out_of_hours_only_it_answers_while_the_queue_is_closed(settings):
    BusinessNumberSetting.objects.create(account_id=settings.WHATSAPP_PHONE_NUMBER_ID, mode=FrontDoorMode.OUT_OF_HOURS)
    QueueFactory(key="general", is_default=True, business_hours=CLOSED_ALL_WEEK)
    customer = Customer()
    [greeting] = customer.says("Hi")
    assert "virtual agent" in greeting.content["body"]
    assert not WorkItem.objects.exists()


def test_an_agent_hands_the_conversation_back_and_gets_it_again_when_the_topic_is_done(switched_on):
    customer = Customer()
    customer.says("Hi")
    interaction = customer.interaction
    agent = serving_agent(username="kim.lee.4711", first_name="Kim", last_name="Lee")
    send_agent_reply(interaction=interaction, author=agent, text="Hello, I'm Kim.")
    interaction.refresh_from_db()
    assert interaction.automated_responder == "" and interaction.assigned_to == agent  # writing took it over
    assert customer.says("I want to report something") == []  # the virtual agent no longer answers

    hand_to_virtual_agent(interaction=interaction, agent=agent, topic_key="report-problem")
    interaction.refresh_from_db()
    assert interaction.automated_responder == "virtual_agent" and interaction.assigned_to == agent
    ask = Message.objects.filter(direction=Direction.OUTBOUND).order_by("sequence").last()
    customer.last = ask
    assert "describe the problem" in ask.text
    customer.says("Scratched table top")
    [done] = customer.says("skip")
    assert "I've opened case" in done.text
    [back] = customer.says("agent")
    assert back.text == "Thanks! I'm passing you back to Kim."  # the first name, never the login
    interaction.refresh_from_db()
    assert interaction.automated_responder == "" and interaction.assigned_to == agent
    assert Case.objects.get().short_description == "Scratched table top"

    hand_to_virtual_agent(interaction=interaction, agent=agent)
    take_from_virtual_agent(interaction=interaction, agent=agent)
    interaction.refresh_from_db()
    assert interaction.automated_responder == "" and interaction.assigned_to == agent


def test_an_agent_without_a_first_name_is_named_to_the_customer_by_a_phrase_not_their_login(switched_on):
    customer = Customer()
    customer.says("Hi")
    interaction = customer.interaction
    agent = serving_agent(username="klee.admin", first_name="")
    send_agent_reply(interaction=interaction, author=agent, text="Hello there.")
    hand_to_virtual_agent(interaction=interaction, agent=agent)
    customer.last = Message.objects.filter(direction=Direction.OUTBOUND).order_by("sequence").last()
    [document] = customer.says("transcript")
    text = document.attachment.file.read().decode()
    assert "our team: Hello there." in text and "klee.admin" not in text
    [back] = customer.says("agent")
    assert back.text == "Thanks! I'm passing you back to an agent."


def test_accepting_an_offer_of_a_conversation_the_virtual_agent_has_takes_it_from_the_virtual_agent(switched_on):
    queue = QueueFactory()
    person = serving_agent(queue)
    item = WorkItemFactory(queue=queue)
    hand_to_virtual_agent(interaction=item.interaction, agent=serving_agent())
    offer_next_items(queue=queue)

    interaction = accept_offer(work_item=item, agent=person)

    interaction.refresh_from_db()
    assert interaction.assigned_to == person and interaction.automated_responder == ""  # only the person answers


def test_a_message_the_virtual_agent_fails_on_is_passed_and_people_take_the_conversation(switched_on, caplog):
    from virtual_agent.models import Step, Topic

    serving_agent(QueueFactory(key="general", is_default=True))
    topic = Topic.objects.create(key="delivery", name="Book a delivery", synonyms="delivery slot", in_menu=False)
    Step.objects.create(topic=topic, order=1, key="floor", kind="choice", prompt="Which floor?",
                        options=["Ground floor", "Upstairs"])  # fmt: skip  # an admin's mistake: not {"id", "title"}
    customer = Customer()
    customer.says("Hi")

    [sorry] = customer.says("I need a delivery slot")

    assert sorry.text.startswith("Sorry, something went wrong on our side.")
    assert "failed on message" in caplog.text
    interaction = customer.interaction
    assert interaction.automated_responder == ""
    item = WorkItem.objects.get(interaction=interaction)
    assert item.summary.startswith("Virtual agent: it failed") and item.handoff_topic == "live-agent"
    session = Session.objects.get(interaction=interaction)
    assert session.state == SessionState.HANDED_OFF
    assert session.handled_through == interaction.messages.filter(direction=Direction.INBOUND).last().sequence
    assert customer.says("Hello?") == []  # the failed message is not replayed; an agent answers from here


def test_sessions_people_took_over_or_closed_end_and_never_starve_the_idle_sweep(switched_on, monkeypatch):
    monkeypatch.setattr("virtual_agent.idle.SWEEP_BATCH", 2)
    taken, closed, waiting = Customer(), Customer(), Customer()
    for customer in (taken, closed, waiting):  # oldest first
        customer.says("Hi")
    agent = serving_agent()
    send_agent_reply(interaction=taken.interaction, author=agent, text="Hello, I'm Kim.")  # writing takes it over
    close_interaction(
        interaction=closed.interaction, by=None, state=InteractionState.CLOSED_COMPLETE, state_reason="Done"
    )

    sweep = remind_or_close_idle_sessions(now=timezone.now() + timedelta(minutes=11))

    assert sweep.reminded == 1
    reminded = waiting.interaction.messages.filter(direction=Direction.OUTBOUND).order_by("sequence").last()
    assert reminded.text == "Are you still there? Just reply to continue."
    assert Session.objects.get(interaction=taken.interaction).state == SessionState.HANDED_OFF
    assert Session.objects.get(interaction=closed.interaction).state == SessionState.ENDED


def test_an_idle_customer_is_reminded_then_the_conversation_closes_as_abandoned(switched_on):
    customer = Customer()
    customer.says("Hi")
    later = timezone.now() + timedelta(minutes=11)
    assert remind_or_close_idle_sessions(now=later).reminded == 1
    assert remind_or_close_idle_sessions(now=later).reminded == 0  # once
    reminder = Message.objects.filter(direction=Direction.OUTBOUND).order_by("sequence").last()
    assert reminder.text == "Are you still there? Just reply to continue."
    assert remind_or_close_idle_sessions(now=later + timedelta(minutes=31)).closed == 1
    interaction = customer.interaction
    assert interaction.state == InteractionState.CLOSED_ABANDONED
    assert interaction.state_reason == "customer stopped answering"
    assert (
        interaction.messages.filter(kind=MessageKind.TEXT, direction=Direction.OUTBOUND)
        .last()
        .text.startswith("I'm closing this conversation")
    )
