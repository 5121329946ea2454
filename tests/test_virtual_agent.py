"""The virtual agent end to end, as a customer meets it on WhatsApp: the emulator's customer writes and taps list
rows and buttons, the webhook, the worker and the virtual agent's listener answer, and what goes back is checked
as the emulator received it (the Cloud API request bodies). In-process conversations: virtual_agent/tests/."""

import pytest

from conftest import LiveSystem, wait_until
from customer_service.models import Case
from customer_service.tests.factories import CatalogCategoryFactory, CatalogItemFactory, ContactFactory
from interactions.models import Interaction
from routing.models import WorkItem
from routing.tests.factories import QueueFactory, serving_agent
from tests.media_samples import sample
from virtual_agent.defaults import seed_defaults
from virtual_agent.models import BusinessNumberSetting, CommandLanguage, CommandWord, FrontDoorMode, Step, Topic

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WAIT = 20


@pytest.fixture
def virtual_agent_on(live_system: LiveSystem) -> LiveSystem:
    seed_defaults(Topic, Step, CommandLanguage, CommandWord)  # a migration's data, gone with the last test's flush
    BusinessNumberSetting.objects.create(account_id="", mode=FrontDoorMode.ALWAYS)
    return live_system


class Phone:
    """The customer's WhatsApp: each turn waits for the business's next message and returns its request body."""

    def __init__(self, system: LiveSystem, wa_id: str, name: str) -> None:
        self.emulator, self.wa_id, self.name = system.emulator, wa_id, name
        self.received: list[dict] = []

    def _next(self, count: int = 1) -> dict:
        expected = len(self.received) + count
        messages = self.emulator.sent_messages(self.wa_id, min_count=expected, timeout=WAIT)
        assert len(messages) >= expected, f"expected {expected} messages, got {messages}"
        self.received = messages
        return messages[-1]

    def writes(self, text: str, *, replies: int = 1) -> dict:
        self.emulator.customer_sends(self.wa_id, text, name=self.name)
        return self._next(replies)

    def taps(self, title: str) -> dict:
        """A list row or a reply button of the last message, by the start of its title."""
        question = self.received[-1]
        interactive = question["interactive"]
        if interactive["type"] == "list":
            rows = [row for section in interactive["action"]["sections"] for row in section["rows"]]
            row = next(row for row in rows if row["title"].startswith(title))
            answer = {"type": "list_reply", "list_reply": {"id": row["id"], "title": row["title"]}}
        else:
            button = next(b["reply"] for b in interactive["action"]["buttons"] if b["reply"]["title"].startswith(title))
            answer = {"type": "button_reply", "button_reply": button}
        self.emulator.customer_sends_message(self.wa_id, "interactive", answer, reply_to=question["id"])
        return self._next()

    def sends_photo(self) -> dict:
        self.emulator.customer_sends_media(self.wa_id, "image", sample("photo.jpg"), "image/jpeg", name=self.name)
        return self._next()


def body(message: dict) -> str:
    if message["type"] == "interactive":
        return message["interactive"]["body"]["text"]
    if message["type"] == "text":
        return message["text"]["body"]
    return message[message["type"]].get("caption", "")


def rows(message: dict) -> list[dict]:
    return [row for section in message["interactive"]["action"]["sections"] for row in section["rows"]]


def buttons(message: dict) -> list[str]:
    return [button["reply"]["title"] for button in message["interactive"]["action"]["buttons"]]


def test_a_known_customer_opens_a_case_with_a_photo_checks_it_and_gets_the_transcript(virtual_agent_on):
    ContactFactory(first_name="Daniel", phone="4915112345678")
    phone = Phone(virtual_agent_on, "4915112345678", "Daniel Meyer")

    menu = phone.writes("Hello")
    assert menu["interactive"]["type"] == "list"
    assert body(menu).startswith("Hi Daniel! I'm the virtual agent.")
    assert [row["title"] for row in rows(menu)][:3] == ["1. Search help articles", "2. Request a service",
                                                        "3. Report a problem"]  # fmt: skip

    assert "describe the problem" in body(phone.taps("3. Report a problem"))
    assert "photo" in body(phone.writes("My coffee machine leaks water"))
    opened = phone.sends_photo()
    case = wait_until(lambda: Case.objects.first(), message="the case")
    assert case.short_description == "My coffee machine leaks water"
    assert f"I've opened case {case.number}" in body(opened)

    status = phone.writes("status")
    assert f"{case.number}: My coffee machine leaks water" in body(status)

    transcript = phone.writes("transcript")
    assert transcript["type"] == "document"
    assert transcript["document"]["filename"].startswith("transcript-IMS")
    file = virtual_agent_on.emulator.media_content(transcript["document"]["id"]).decode()
    assert "Daniel Meyer: My coffee machine leaks water" in file and "Virtual agent: Hi Daniel!" in file


def test_invalid_answers_are_asked_again_and_eleven_choices_are_paged(virtual_agent_on):
    for number in range(1, 13):
        CatalogItemFactory(name=f"Item {number}", category=CatalogCategoryFactory(name=f"Service {number:02d}"))
    phone = Phone(virtual_agent_on, "4915100000002", "Ana")
    phone.writes("Hi")

    again = phone.writes("banana bread")
    assert body(again).startswith("Sorry, I didn't understand that.")
    unknown_command = phone.writes("/frobnicate")
    assert "live agent" in body(unknown_command) and buttons(unknown_command) == ["Yes", "No"]
    phone.taps("No")
    assert "There is no choice 42" in body(phone.writes("42"))

    first_page = phone.taps("2. Request a service")
    assert len(rows(first_page)) == 10 and rows(first_page)[-1]["title"] == "More options"
    second_page = phone.taps("More options")
    assert [row["title"] for row in rows(second_page)] == ["10. Service 10", "11. Service 11", "12. Service 12"]
    item = phone.taps("11. Service 11")
    assert buttons(item) == ["Item 11"]

    phone.emulator.customer_sends_media(phone.wa_id, "image", sample("photo.jpg"), "image/jpeg")
    photo_for_a_choice = phone._next()
    assert "Please type your answer as text." in body(photo_for_a_choice)


def test_handoff_with_an_agent_available_reaches_them_with_the_summary(virtual_agent_on):
    queue = QueueFactory(key="general", is_default=True)
    person = serving_agent(queue)
    phone = Phone(virtual_agent_on, "4915100000003", "Ravi")
    phone.writes("Hi")
    phone.taps("3. Report a problem")
    told = phone.writes("agent")
    assert body(told) == "I'm connecting you with a live agent. Please wait a moment."

    item = wait_until(lambda: WorkItem.objects.filter(offered_to=person).first(), message="the offer")
    assert item.handoff_topic == "report-problem"
    assert item.summary.startswith("Virtual agent: Report a problem.")
    interaction = Interaction.objects.get()
    assert interaction.automated_responder == ""
    timeline = [(m.direction, m.text[:40]) for m in interaction.messages.order_by("sequence")]
    assert timeline[0] == ("inbound", "Hi") and ("internal", item.summary[:40]) in timeline


def test_handoff_with_nobody_available_offers_a_case_and_waiting_is_queued(virtual_agent_on):
    QueueFactory(key="general", is_default=True, waiting_message="You are number {position} in line.")
    phone = Phone(virtual_agent_on, "4915100000004", "Mia")
    phone.writes("Hi")
    offer = phone.writes("human")
    assert body(offer).startswith("All our agents are busy right now; you are number 1 in line.")
    assert buttons(offer) == ["Yes", "No"]
    waiting = phone.taps("No")
    assert body(waiting).startswith("Alright: you stay in line")
    wait_until(lambda: WorkItem.objects.filter(state="queued").exists(), message="the queued item")
    assert "number 1 in line" in body(phone._next())  # routing's own waiting message follows


def test_text_naming_another_topic_mid_flow_switches_to_it_and_a_description_stays_one(virtual_agent_on):
    phone = Phone(virtual_agent_on, "4915100000005", "Lena")
    phone.writes("Hi")
    phone.taps("3. Report a problem")
    assert "photo" in body(phone.writes("I'd like to check my cases"))  # asked to describe: it is the description
    phone.writes("skip")
    case = wait_until(lambda: Case.objects.first(), message="the case")
    assert case.short_description == "I'd like to check my cases"

    which = phone.taps("5. Update a case")
    assert buttons(which) == [case.number]
    switched = phone.writes("actually I want to check my cases")  # a choice it does not answer
    assert body(switched).startswith(
        f"Sure, let's switch to “Check my cases”.\n\nYour open cases:\n{case.number}: I'd like to check my cases"
    )
    assert not case.comments.exists()


def test_a_german_speaking_customer_is_answered_in_german_end_to_end(virtual_agent_on):
    from tests.factories import ChannelUserFactory

    ChannelUserFactory(external_id="4915100000006", display_name="Jonas", language="de")  # as the business knows them
    phone = Phone(virtual_agent_on, "4915100000006", "Jonas")

    menu = phone.writes("Hallo")
    assert body(menu).startswith("Hallo! Ich bin der virtuelle Assistent.\n\nWie kann ich Ihnen helfen?")
    assert menu["interactive"]["action"]["button"] == "Themen"
    assert [row["title"] for row in rows(menu)] == ["1. Hilfeartikel suchen", "2. Service anfragen",
                                                    "3. Problem melden", "4. Meine Fälle prüfen", "5. Fall ergänzen",
                                                    "6. Mitarbeiter sprechen"]  # fmt: skip
    assert body(phone.taps("3. Problem melden")) == "Bitte beschreiben Sie das Problem in einem Satz."
    photo = phone.writes("Die Schreibtischplatte wackelt")
    assert body(photo).startswith("Wenn Sie ein Foto oder ein Dokument dazu haben, senden Sie es jetzt.")
    again = phone.writes("morgen")
    assert body(again).startswith("Bitte senden Sie hier ein Foto oder ein Dokument")
    opened = phone.writes("überspringen")
    case = wait_until(lambda: Case.objects.first(), message="the case")
    assert body(opened).startswith(f"Ich habe den Fall {case.number} für Sie eröffnet.")
    status = phone.writes("meine fälle")  # a German command
    assert f"Ihre offenen Fälle:\n{case.number}: Die Schreibtischplatte wackelt" in body(status)
