"""The virtual agent in conversation, in-process on the real database: greeting, the menu, each kind of answer
(tapped, typed by number or words, misunderstood), topics that open cases and submit requests, commands, and
repeated deliveries acting once. End to end through the emulator: tests/test_virtual_agent.py."""

import pytest
from django.conf import settings

from consent.models import ConsentMethod, ConsentRecord, ConsentScope, ConsentStatus
from customer_service.models import Case, CatalogRequest
from customer_service.tests.factories import CatalogCategoryFactory, CatalogItemFactory, ContactFactory, question
from interactions.models import Direction, InteractionState, ListenerRun, Message, MessageKind
from interactions.services.inbound import record_inbound_message
from interactions.tests.core_events import inbound_message
from virtual_agent.engine import answer_customer
from virtual_agent.models import BusinessNumberSetting, FrontDoorMode, Session
from virtual_agent.tests.conversing import Customer, rows, titles

pytestmark = pytest.mark.django_db


def listeners_run() -> list[str]:
    """Routing's and the virtual agent's runs (the tests' own probe listeners aside)."""
    runs = ListenerRun.objects.filter(listener__in=["routing.queueing", "virtual_agent.answering"])
    return list(runs.values_list("listener", flat=True))


@pytest.fixture
def switched_on():
    return BusinessNumberSetting.objects.create(account_id="", mode=FrontDoorMode.ALWAYS)


def test_switched_off_nothing_changes_routing_hears_of_the_conversation():
    customer = Customer()
    assert customer.says("Hello") == []
    interaction = customer.interaction
    assert interaction.automated_responder == ""
    assert listeners_run() == ["routing.queueing"]


def test_switched_on_it_greets_by_name_and_offers_its_topics_and_routing_waits(switched_on):
    ContactFactory(first_name="Daniel", phone="4917000000001")
    customer = Customer(wa_id="4917000000001")

    [reply] = customer.says("Hello")

    assert customer.interaction.automated_responder == "virtual_agent"
    assert listeners_run() == ["virtual_agent.answering"]
    assert reply.kind == MessageKind.INTERACTIVE and reply.content["type"] == "list"
    assert reply.content["body"].startswith("Hi Daniel! I'm the virtual agent.")
    assert titles(reply)[:3] == ["1. Search help articles", "2. Request a service", "3. Report a problem"]
    assert reply.content["automated"] == "virtual_agent"
    assert reply.author is None


def test_a_number_switched_off_on_its_own_is_not_answered(switched_on, settings):
    BusinessNumberSetting.objects.create(account_id=settings.WHATSAPP_PHONE_NUMBER_ID, mode=FrontDoorMode.OFF)
    customer = Customer()
    assert customer.says("Hello") == []
    assert customer.interaction.automated_responder == ""


def test_a_customer_opens_a_case_with_a_photo(switched_on):
    customer = Customer(name="Ana")
    customer.says("Hi")
    [ask] = customer.taps("report-problem")
    assert ask.kind == MessageKind.TEXT and "describe the problem" in ask.text
    [ask] = customer.says("The coffee machine leaks water")
    assert "send a photo" in ask.text.lower() or "photo or a document" in ask.text
    [done] = customer.sends_photo()

    case = Case.objects.get()
    assert case.short_description == "The coffee machine leaks water"
    assert case.number in done.content["body"]
    [attachment] = case.attachments.all()
    assert attachment.message_attachment.message.interaction == customer.interaction
    assert done.content["type"] == "list"  # back to the menu, in the same message


def test_the_first_message_naming_a_topic_starts_it(switched_on):
    customer = Customer()
    [reply] = customer.says("broken")
    assert "Please describe the problem" in reply.text
    assert "I'm the virtual agent" in reply.text


def test_a_first_message_that_describes_the_problem_is_taken_as_its_description(switched_on):
    customer = Customer()
    [reply] = customer.says("The armrest of the office chair I got yesterday is broken.")
    assert "photo or a document" in reply.text
    customer.says("skip")
    assert Case.objects.get().short_description == "The armrest of the office chair I got yesterday is broken."


def test_two_messages_it_does_not_understand_read_in_one_turn_are_asked_about_once(switched_on):
    customer = Customer()
    customer.says("The armrest of the office chair I got yesterday is broken.")  # it waits for a photo
    record_inbound_message(
        event=inbound_message(sender_id=customer.wa_id, text="Hello", account_id=settings.WHATSAPP_PHONE_NUMBER_ID)
    )  # came while another was being answered: the next turn reads both

    [reply] = customer.says("I'm at work right now")

    assert reply.text.count("Please send a photo or a document here") == 1


def test_a_choice_answered_by_number_or_words_and_typos(switched_on):
    customer = Customer()
    customer.says("Hi")
    [reply] = customer.says("3")
    assert "describe the problem" in reply.text
    customer.says("restart")
    [reply] = customer.says("Reprot a problme")
    assert "describe the problem" in reply.text
    customer.says("restart")
    [reply] = customer.says("my chair is broken again")  # names the topic and says enough: its description
    assert "photo or a document" in reply.text


def test_a_sentence_sharing_a_word_with_a_topic_is_not_taken_for_it(switched_on):
    customer = Customer()

    replies = customer.says("Hello, my invoice shows the wrong VAT number")  # "my cases" is a synonym of a topic

    [menu] = replies  # asked, not guessed; seen on the demo: "You have no open cases."
    assert menu.content["type"] == "list"
    assert "How can I help you today?" in menu.text


def test_what_it_does_not_understand_is_asked_again_then_an_agent_is_offered(switched_on):
    customer = Customer()
    customer.says("Hi")
    [first] = customer.says("banana bread recipe")
    assert first.content["body"].startswith("Sorry, I didn't understand that.")
    assert first.content["type"] == "list"  # the same question again
    [second] = customer.says("42")
    assert "There is no choice 42" in second.text
    assert second.content["type"] == "buttons"
    assert "live agent" in second.content["body"]
    assert [button["title"] for button in second.content["buttons"]] == ["Yes", "No"]
    [back] = customer.taps("No")
    assert back.content["type"] == "list"


def test_a_file_where_text_is_expected_is_refused_with_the_reason(switched_on):
    customer = Customer()
    customer.says("Hi")
    customer.taps("report-problem")
    [reply] = customer.sends_photo()
    assert "Please type your answer as text." in reply.text
    assert not Case.objects.exists()


def test_more_than_ten_choices_are_paged_and_any_can_be_typed_by_number(switched_on):
    for number in range(1, 13):
        CatalogItemFactory(category=CatalogCategoryFactory(name=f"Service {number:02d}", position=number))
    customer = Customer()
    customer.says("Hi")
    [page_one] = customer.taps("catalog")
    assert len(rows(page_one)) == 10
    assert rows(page_one)[-1]["id"] == "page:2"
    assert rows(page_one)[0]["title"] == "1. Service 01"
    [page_two] = customer.taps("page:2")
    assert [row["title"] for row in rows(page_two)] == ["10. Service 10", "11. Service 11", "12. Service 12"]
    [items] = customer.says("11")
    assert "Which one?" in items.text


def test_a_catalog_request_checks_each_answer_and_asks_again(switched_on):
    item = CatalogItemFactory(name="Office chairs", category=CatalogCategoryFactory(name="Furniture"))
    question(item, kind="number", label="How many chairs?", min_value=1, max_value=20)
    question(item, kind="choice", label="Which colour?", choices=["Black", "Grey", "Blue"])
    customer = Customer()
    customer.says("Hi")
    customer.taps("catalog")
    [which] = customer.taps("Furniture")  # one category: a button
    assert titles(which) == ["Office chairs"]
    [how_many] = customer.taps("Office chairs")
    assert how_many.text == "How many chairs?"
    [again] = customer.says("fifty")
    assert "How many chairs?" in again.text and again.text != "How many chairs?"
    [colour] = customer.says("4")
    assert titles(colour) == ["Black", "Grey", "Blue"]
    [done] = customer.taps("Grey")

    request = CatalogRequest.objects.get()
    assert request.number in done.text
    assert {answer.label: answer.value for answer in request.answers.all()} == {
        "How many chairs?": "4",
        "Which colour?": "Grey",
    }


def test_commands_help_status_restart_and_bye(switched_on):
    customer = Customer()
    customer.says("Hi")
    [help_] = customer.says("HELP")
    assert help_.text.startswith("I can help with the topics below.")
    [status] = customer.says("status")
    assert "You have no open cases." in status.text
    [bye] = customer.says("bye")
    assert bye.kind == MessageKind.TEXT and "Goodbye" in bye.text
    interaction = customer.interaction
    assert interaction.state == InteractionState.CLOSED_COMPLETE
    assert interaction.state_reason == "Ended by the customer with the virtual agent"


def test_an_unknown_command_is_just_not_understood(switched_on):
    customer = Customer()
    customer.says("Hi")
    [reply] = customer.says("/frobnicate")
    assert reply.text.startswith("Sorry, I didn't understand that.")


def test_commands_in_another_language_switch_the_language(switched_on):
    customer = Customer()
    customer.says("Hallo")
    [reply] = customer.says("hilfe")
    assert reply.text.startswith("Ich helfe bei den Themen unten.")


def test_the_transcript_is_sent_as_a_document(switched_on):
    customer = Customer()
    customer.says("Hi")
    [document] = customer.says("transcript")
    assert document.kind == MessageKind.DOCUMENT
    assert document.attachment.mime_type == "text/plain"
    text = document.attachment.file.read().decode()
    assert "Daniel Meyer: Hi" in text and "Virtual agent: Hi! I'm the virtual agent." in text


def test_notifications_are_switched_in_the_consent_ledger_as_each_choice_says(switched_on):
    customer = Customer()
    customer.says("Hi")
    [picker] = customer.says("notifications")
    assert "Case updates: on\nOffers and news: on" in picker.text
    assert titles(picker) == ["Stop case updates", "Stop offers and news"]  # a tap does what its label says
    [changed] = customer.taps("Stop offers and news")
    record = ConsentRecord.objects.get()
    assert (record.scope, record.status) == (ConsentScope.MARKETING, ConsentStatus.OPTED_OUT)
    assert record.method == ConsentMethod.SETTINGS_CHOICE  # a tap in the settings, not a typed keyword
    assert "Offers and news: now off." in changed.text

    [picker] = customer.says("notifications")
    assert titles(picker) == ["Stop case updates", "Get offers and news"]
    customer.taps("Get offers and news")
    record = ConsentRecord.objects.latest("pk")
    assert (record.scope, record.status) == (ConsentScope.MARKETING, ConsentStatus.OPTED_IN)


def test_a_stop_is_the_consent_rules_and_the_virtual_agent_stays_silent(switched_on):
    customer = Customer()
    customer.says("Hi")
    assert customer.says("STOP") == []
    last = Message.objects.filter(direction=Direction.OUTBOUND).order_by("sequence").last()
    assert last.content == {"consent": "opt_out_confirmation"}


def test_a_repeated_or_late_delivery_acts_once(switched_on):
    customer = Customer()
    customer.says("Hi")
    message = customer.interaction.messages.filter(direction=Direction.INBOUND).get()
    outbound = Message.objects.filter(direction=Direction.OUTBOUND).count()
    answer_customer(message)
    answer_customer(message)
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == outbound
    assert Session.objects.get().handled_through == message.sequence


def published_article(title: str, body: str, keywords: str = ""):
    from customer_service.models.knowledge import ArticleStatus, KnowledgeArticle

    return KnowledgeArticle.objects.create(
        title=title, slug=title.lower().replace(" ", "-"), body=body, keywords=keywords, status=ArticleStatus.PUBLISHED
    )


def test_knowledge_search_shows_the_chosen_answer_with_its_link_and_asks_whether_it_helped(switched_on):
    published_article("Descale your coffee machine", "Run the descaling program every month.", "descale, limescale")
    published_article("Reset your router", "Hold the reset button for ten seconds.", "router, wifi, internet")
    customer = Customer()
    customer.says("Hi")
    [ask] = customer.taps("knowledge")
    assert ask.text.startswith("What would you like to know?")
    [found] = customer.says("how do I descale the coffee machine")
    assert titles(found)[0] == "Descale your coffee…"  # a button shows 20 characters
    assert "1. Descale your coffee machine" in found.content["body"]  # so the body has the whole title
    [shown] = customer.taps("Descale")
    body = shown.content["body"]
    assert body.startswith("*Descale your coffee machine*") and "Read more: http" in body
    assert body.endswith("Did this help?") and titles(shown) == ["Yes", "No"]
    [glad] = customer.taps("Yes")
    assert glad.content["body"].startswith("Glad I could help!")


def test_knowledge_search_that_does_not_help_offers_an_agent(switched_on):
    published_article("Reset your router", "Hold the reset button for ten seconds.", "router, wifi, internet")
    customer = Customer()
    customer.says("Hi")
    customer.taps("knowledge")
    customer.says("my wifi router does not work")
    customer.taps("Reset")
    [offer] = customer.taps("No")
    assert offer.content["body"].startswith("No live agent is available right now.")  # routing is off here


def test_knowledge_search_finding_nothing_offers_an_agent(switched_on):
    customer = Customer()
    customer.says("Hi")
    customer.taps("knowledge")
    [nothing] = customer.says("zebra migration patterns")
    assert nothing.content["body"].startswith("I couldn't find anything about that.")


def test_a_reaction_to_its_message_answers_nothing(switched_on):
    customer = Customer()
    [menu] = customer.says("Hi")
    assert customer._send(kind=MessageKind.REACTION, content={"emoji": "👍"}, reply_to_external_id=None) == []
    assert Session.objects.get().misunderstandings == 0
    assert menu.content["type"] == "list"


def test_a_topic_made_in_the_admin_runs_without_code_number_date_location_link_and_branches(switched_on):
    from virtual_agent.models import Step, Topic

    topic = Topic.objects.create(key="delivery", name="Book a delivery", synonyms="delivery slot", in_menu=False)
    steps = [
        ("pieces", "number", "How many pieces?", {"store_as": "pieces", "minimum": 1, "maximum": 5}),
        ("day", "date", "Which day? (e.g. 24.12.2026)", {"store_as": "day"}),
        ("where", "location", "Where to?", {"store_as": "where"}),
        ("floor", "choice", "Which floor?", {"store_as": "floor", "options": [
            {"id": "ground", "title": "Ground floor", "next": "thanks"},
            {"id": "up", "title": "Upstairs", "synonyms": "first floor, second floor", "next": "lift"},
        ]}),
        ("lift", "message", "Our team brings {pieces} pieces up.", {}),
        ("thanks", "link", "Booked for {day}. Your delivery guide:", {"url": "https://example.com/delivery"}),
        ("done", "end", "See you then!", {}),
    ]  # fmt: skip
    for order, (key, kind, prompt, extra) in enumerate(steps, start=1):
        Step.objects.create(topic=topic, order=order, key=key, kind=kind, prompt=prompt, **extra)
    customer = Customer()
    customer.says("Hi")
    customer.says("I need a delivery slot")  # a topic not in the menu is found by its words
    [too_many] = customer.says("9")
    assert "from 1 to 5" in too_many.text
    [day] = customer.says("3")
    assert day.text == "Which day? (e.g. 24.12.2026)"
    [again] = customer.says("next tuesday-ish")
    assert "Please type a date" in again.text
    [where] = customer.says("24.12.2026")
    assert where.content == {"type": "location_request", "body": "Where to?", "automated": "virtual_agent"}
    [floor] = customer.says("on the moon")
    assert "Please share a location" in floor.text
    [floor] = customer._send(kind=MessageKind.LOCATION, content={"latitude": 52.52, "longitude": 13.40})
    [done] = customer.says("first floor")
    body = done.content["body"]
    assert body.startswith("Our team brings 3 pieces up.\n\nBooked for 2026-12-24. Your delivery guide:")
    assert "https://example.com/delivery" in body and "See you then!" in body


def test_a_customer_adds_a_comment_and_a_photo_to_an_open_case(switched_on):
    customer = Customer()
    customer.says("Hi")
    customer.taps("report-problem")
    customer.says("The desk wobbles")
    customer.says("skip")
    case = Case.objects.get()
    [which] = customer.taps("update-case")
    assert titles(which) == [case.number]
    [what] = customer.taps(case.number)
    assert what.text == "What would you like to add?"
    customer.says("It got worse after moving it")
    [done] = customer.sends_photo()
    assert f"I've added that to case {case.number}." in done.text
    comment = case.comments.get()
    assert comment.text == "It got worse after moving it"
    assert case.attachments.get().comment == comment


def test_text_naming_another_topic_where_it_answers_nothing_switches_to_that_topic(switched_on):
    item = CatalogItemFactory(name="Office chairs", category=CatalogCategoryFactory(name="Furniture"))
    question(item, kind="number", label="How many chairs?", min_value=1, max_value=20)
    customer = Customer()
    customer.says("Hi")
    customer.taps("catalog")
    customer.taps("Furniture")
    customer.taps("Office chairs")

    [switched] = customer.says("actually I want to check my cases")  # at a number step

    assert switched.content["body"].startswith("Sure, let's switch to “Check my cases”.\n\nYou have no open cases.")
    assert switched.content["type"] == "list"  # the topic ran and the menu follows
    assert not CatalogRequest.objects.exists()
    assert Session.objects.get().misunderstandings == 0


def test_a_photo_step_given_a_problem_description_opens_that_topic_with_it(switched_on):
    customer = Customer()
    customer.says("Hi")
    customer.taps("report-problem")
    customer.says("The desk wobbles")
    [switched] = customer.says("I'd like to check my cases")  # at the optional photo step
    assert "switch to “Check my cases”" in switched.text
    assert not Case.objects.exists()


def test_at_a_text_step_text_naming_a_topic_is_the_answer(switched_on):
    customer = Customer()
    customer.says("Hi")
    customer.taps("report-problem")
    [photo] = customer.says("I'd like to check my cases")  # a description of a problem checking cases
    assert "photo or a document" in photo.text and "switch" not in photo.text
    customer.says("skip")
    assert Case.objects.get().short_description == "I'd like to check my cases"


def test_a_yes_no_answer_that_also_names_a_topic_is_the_answer(switched_on):
    published_article("Reset your router", "Hold the reset button for ten seconds.", "router, wifi, internet")
    customer = Customer()
    customer.says("Hi")
    customer.taps("knowledge")
    customer.says("my wifi router does not work")
    customer.taps("Reset")
    [offer] = customer.says("no, still not working")  # "not working" names "Report a problem"; "no" answers
    assert offer.content["body"].startswith("No live agent is available right now.")


def test_mid_topic_text_that_names_nothing_is_asked_again_then_an_agent_is_offered(switched_on):
    customer = Customer()
    customer.says("Hi")
    customer.taps("report-problem")
    customer.says("The desk wobbles")
    [again] = customer.says("Hello")
    assert again.text.startswith("Please send a photo or a document here, or type skip.")
    [offer] = customer.says("what do you mean")
    assert "live agent" in offer.content["body"] and titles(offer) == ["Yes", "No"]


def test_a_spanish_speaking_customer_is_answered_in_spanish_and_understood_in_spanish(switched_on):
    from interactions.models import ChannelUser

    customer = Customer(name="Lucía")
    ChannelUser.objects.create(channel="whatsapp", account_id=settings.WHATSAPP_PHONE_NUMBER_ID,
                               external_id=customer.wa_id, language="es-ES")  # fmt: skip  # as the business knows them
    [menu] = customer.says("Hola")
    assert menu.content["body"].startswith("¡Hola! Soy el agente virtual.\n\n¿En qué puedo ayudarle?")
    assert titles(menu)[:3] == ["1. Buscar en la ayuda", "2. Solicitar un servicio", "3. Reportar un problema"]
    [photo] = customer.says("mi silla está rota")  # Spanish synonyms find the topic; it says enough to describe
    assert photo.text.startswith("Si tiene una foto o un documento del problema, envíelo ahora.")
    assert photo.text.endswith("Envíe una foto o un documento, o escriba «omitir».")
    [done] = customer.says("omitir")
    case = Case.objects.get(short_description="mi silla está rota")
    assert done.content["body"].startswith(f"He abierto el caso {case.number} para usted.")
    assert "¿Hay algo más en lo que pueda ayudarle?" in done.content["body"]


def test_switched_off_system_wide_it_leaves_new_conversations_to_people_whatever_the_number_says(switched_on):
    from properties.services import change_property

    change_property(key="virtual_agent.enabled", value="off")
    customer = Customer()

    assert customer.says("Hello") == []
    assert customer.interaction.automated_responder == ""
    assert listeners_run() == ["routing.queueing"]
