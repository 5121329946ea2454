"""Customer service in the workspace, as an agent uses it: the customer is recognised as their contact and
account, the agent opens a case from the conversation with the photo the customer sent, shares a knowledge
article in a reply, requests a catalog item for the customer (a wrong answer is named and fixed), and unlinks
and links the contact; and adds a work note and a comment to a case, of which only the comment reaches the
customer."""

import os
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from customer_service.demo_data import seed_customer_service_demo
from customer_service.models import Case, CatalogRequest
from customer_service.services.cases import add_case_comment, open_case
from tests.consent_factories import opted_in
from tests.factories import agent
from tests.handing_over import hand_over
from tests.media_samples import sample
from tests.test_workspace_browser import new_page, sign_in  # noqa: F401 -- new_page is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DANIEL = "4915112345678"  # the demo's Daniel Weber, a contact of Weber Architekten GmbH


def test_an_agent_sees_the_contact_opens_a_case_shares_an_article_and_requests_for_the_customer(
    live_system,
    new_page,  # noqa: F811
    tmp_path,
):
    seed_customer_service_demo()
    alice = agent(username="alice")
    live_system.emulator.customer_sends(DANIEL, "Hi! The armrest of the office chair I got is broken.", name="Daniel")
    workspace = new_page()
    sign_in(workspace, live_system, "alice")
    live_system.emulator.customer_sends_media(
        DANIEL, "image", sample("photo.jpg"), "image/jpeg", caption="Photo of the armrest"
    )
    interaction = hand_over(customer=DANIEL, to=alice)
    workspace.get_by_test_id("interaction-item").first.click()
    panel = workspace.get_by_test_id("customer-service-panel")

    expect(panel.get_by_test_id("cs-contact-name")).to_have_text("Daniel Weber")
    expect(panel.get_by_test_id("cs-account-name")).to_have_text("Managing partner · Weber Architekten GmbH")
    expect(panel.get_by_test_id("cs-no-cases")).to_be_visible()

    expect(workspace.get_by_test_id("message").filter(has_text="Photo of the armrest")).to_be_visible()
    panel.get_by_test_id("cs-new-case").click()
    panel.get_by_test_id("cs-case-short").fill("Broken armrest")
    panel.get_by_test_id("cs-case-priority").select_option("2")
    panel.get_by_test_id("cs-case-file").check()  # the photo the customer sent
    panel.get_by_test_id("cs-case-create").click()
    case_row = panel.get_by_test_id("cs-case")
    expect(case_row.get_by_test_id("cs-case-number")).to_have_text("CS0001001")
    expect(case_row).to_contain_text("Linked to this conversation")
    case = Case.objects.get()
    assert (case.channel_user, case.contact.full_name, case.opened_by, case.priority) == (
        interaction.channel_user,
        "Daniel Weber",
        alice,
        2,
    )
    assert [attachment.message_attachment.message.text for attachment in case.attachments.all()] == [
        "Photo of the armrest"
    ]

    opted_in(interaction.channel_user)  # case updates are notifications: the rules want the customer's opt-in
    case_row.get_by_test_id("cs-case-state").select_option("awaiting_info")
    expect(case_row).to_contain_text("Awaiting info")
    told = live_system.emulator.wait_for_sent_message(to=DANIEL)
    assert told["text"]["body"] == "Hello Daniel, your case CS0001001 (Broken armrest) is now awaiting info."

    workspace.get_by_test_id("compose-article").click()
    workspace.get_by_test_id("cs-article-query").fill("armrest broken")
    best = workspace.get_by_test_id("cs-article-result").first
    expect(best).to_contain_text("Replace a broken armrest")
    best.get_by_test_id("cs-article-insert").click()
    composer = workspace.get_by_test_id("composer-input")
    expect(composer).to_have_value(
        re.compile(r"^\*Replace a broken armrest\*\n.+\n\nRead it all: http://\S+/help/articles/\d+/")
    )
    workspace.get_by_test_id("composer-send").click()
    sent = live_system.emulator.wait_for_sent_message(to=DANIEL, count=2)
    assert "Read it all: " in sent["text"]["body"] and "/help/articles/" in sent["text"]["body"]

    panel.get_by_test_id("cs-new-request").click()
    panel.get_by_test_id("cs-request-item").select_option(label="Services \u203a Assembly appointment")
    how_many, day, lift, _notes = (panel.locator("[data-question]").nth(index) for index in range(4))
    how_many.fill("500")
    day.fill((timezone.localdate() + timedelta(days=7)).isoformat())
    lift.select_option("yes")
    panel.get_by_test_id("cs-request-submit").click()
    expect(panel.get_by_test_id("cs-problems")).to_contain_text(
        "How many items should we assemble?: Please give a number from 1 to 50."
    )
    expect(lift).to_have_value("yes")  # the reasons came, what the agent gave stayed
    how_many.fill("3")
    panel.get_by_test_id("cs-request-submit").click()
    expect(panel.get_by_test_id("cs-request")).to_contain_text("REQ0001001")
    assert CatalogRequest.objects.get().requested_by == alice
    expect(panel).not_to_contain_text("null")

    panel.get_by_test_id("cs-unlink-contact").click()
    expect(panel.get_by_test_id("cs-no-contact")).to_have_text("Not a known contact (unlinked by an agent)")
    panel.get_by_test_id("cs-link-contact").click()
    panel.get_by_test_id("cs-contact-search").fill("weber")
    panel.get_by_test_id("cs-contact-choice").filter(has_text="Daniel Weber").click()
    expect(panel).to_contain_text("Linked by an agent")

    # A case opened elsewhere (the virtual agent opens them in the conversation) shows with the next message.
    open_case(short_description="Delivery question", channel_user=interaction.channel_user)
    live_system.emulator.customer_sends(DANIEL, "I opened a case about the delivery too.", name="Daniel")
    expect(panel.get_by_test_id("cs-case").filter(has_text="Delivery question")).to_be_visible()

    screenshot = os.environ.get("CS_SCREENSHOT") or str(tmp_path / "customer_service_panel.png")
    panel.screenshot(path=screenshot)


def test_an_agent_adds_a_work_note_and_a_comment_and_the_customer_receives_only_the_comment(
    live_system,
    new_page,  # noqa: F811
    tmp_path,
):
    seed_customer_service_demo()
    alice = agent(username="alice", first_name="Alice", last_name="Agent")
    live_system.emulator.customer_sends(DANIEL, "Any news on my broken armrest?", name="Daniel")
    interaction = hand_over(customer=DANIEL, to=alice)
    opted_in(interaction.channel_user)  # a comment is a notification: the rules want the customer's opt-in
    case = open_case(short_description="Broken armrest", interaction=interaction)
    add_case_comment(case, text="The left one, see my photo.")  # the customer's own, through the virtual agent
    workspace = new_page()
    sign_in(workspace, live_system, "alice")
    workspace.get_by_test_id("interaction-item").first.click()
    panel = workspace.get_by_test_id("customer-service-panel")

    panel.get_by_test_id("cs-case-comments").click()
    comments = panel.get_by_test_id("cs-comment")
    expect(comments).to_have_count(1)
    expect(comments.first.get_by_test_id("cs-comment-author")).to_have_text("Customer")

    panel.get_by_test_id("cs-comment-send").click()  # nothing written: the server's reason shows
    expect(panel.get_by_test_id("cs-problems")).to_contain_text("Write the note or comment first.")
    panel.get_by_test_id("cs-comment-input").fill("Supplier confirmed by phone: ships Monday.")
    panel.get_by_test_id("cs-comment-note").click()
    expect(comments).to_have_count(2)
    expect(panel.get_by_test_id("cs-comment-input")).to_have_value("")
    panel.get_by_test_id("cs-comment-input").fill("Good news: a new armrest ships on Monday.")
    panel.get_by_test_id("cs-comment-send").dblclick()  # the buttons wait for the answer: one comment
    expect(comments).to_have_count(3)

    note, comment = comments.nth(1), comments.nth(2)
    expect(note.get_by_test_id("cs-comment-internal")).to_have_text("Work note")
    expect(note.get_by_test_id("cs-comment-author")).to_have_text("Alice Agent")
    expect(note.get_by_test_id("cs-comment-text")).to_have_text("Supplier confirmed by phone: ships Monday.")
    expect(comment.get_by_test_id("cs-comment-internal")).to_have_count(0)
    expect(comment.locator("time")).to_contain_text("Today")
    told = live_system.emulator.wait_for_sent_message(to=DANIEL)
    assert told["text"]["body"] == (
        f"Hello Daniel, a new comment on your case {case.number} (Broken armrest):\n\n"
        "Good news: a new armrest ships on Monday."
    )
    # The note was added first: had it been sent, it would be on the phone by now.
    assert [message["id"] for message in live_system.emulator.sent_messages(to=DANIEL)] == [told["id"]]
    assert [(c.internal, c.author) for c in case.comments.all()] == [(False, None), (True, alice), (False, alice)]
    screenshot = os.environ.get("CS_COMMENTS_SCREENSHOT") or str(tmp_path / "case_comments.png")
    panel.screenshot(path=screenshot)
