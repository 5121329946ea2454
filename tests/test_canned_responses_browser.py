"""The composer's `/` menu in Chromium, as an agent uses it: `/` and a few letters find a canned response, filled
in for the customer (their contact's first name, the agent's); one whose case placeholder nothing fills is not sent
until the agent replaces it; a quick action sends the linked case's status. The customer's phone (the emulator)
receives each filled text."""

import pytest
from playwright.sync_api import expect

from canned_responses.demo_data import seed_canned_responses_demo
from customer_service.services.cases import open_case
from customer_service.tests.factories import ContactFactory
from interactions.models import Direction, Message
from tests.factories import agent
from tests.handing_over import hand_over
from tests.test_workspace_browser import new_page, sign_in  # noqa: F401 -- new_page is a fixture
from tests.test_workspace_routing_browser import collect_script_errors

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DANIEL = "4915112345678"


def test_an_agent_finds_fills_and_sends_canned_responses_and_runs_a_quick_action(live_system, new_page):  # noqa: F811
    seed_canned_responses_demo()
    ContactFactory(first_name="Daniel", last_name="Weber", phone=DANIEL)
    alice = agent(username="alice", first_name="Alice")
    live_system.emulator.customer_sends(DANIEL, "Hi, the chair I got is broken.", name="Dan W.")
    workspace = new_page()
    sign_in(workspace, live_system, "alice")
    interaction = hand_over(customer=DANIEL, to=alice)
    workspace.get_by_test_id("interaction-item").first.click()
    composer = workspace.get_by_test_id("composer-input")
    menu = workspace.get_by_role("listbox", name="Canned responses and quick actions")

    composer.press_sequentially("/")
    expect(menu.get_by_role("option")).to_have_count(7)  # four shared responses, three quick actions
    expect(menu.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    composer.press("ArrowUp")  # wraps to the last: a quick action
    expect(menu.get_by_role("option").last).to_have_attribute("aria-selected", "true")
    workspace.screenshot(path=str(live_system.logs["web"].parent / "canned-menu.png"))
    composer.press_sequentially("tha")
    expect(menu.get_by_role("option")).to_have_count(1)
    expect(menu.get_by_role("option")).to_contain_text("Thank you for waiting, Daniel. I'm Alice")
    composer.press("Enter")  # picks; does not send

    expect(menu).to_be_hidden()
    expect(composer).to_have_value("Thank you for waiting, Daniel. I'm Alice and I'll help you.")
    composer.press_sequentially(" One moment.")  # the caret was left at the end
    composer.press("Enter")
    sent = live_system.emulator.wait_for_sent_message(to=DANIEL)
    assert sent["text"]["body"] == "Thank you for waiting, Daniel. I'm Alice and I'll help you. One moment."

    # No case yet: the response keeps {case_number} and {case_title}, highlighted, and is not sent as it is.
    composer.press_sequentially("/case")
    expect(menu.get_by_test_id("canned-response").first.locator("mark").first).to_have_text("{case_number}")
    menu.get_by_test_id("canned-response").first.click()
    unfilled = workspace.get_by_test_id("canned-unfilled")
    expect(unfilled).to_have_text(["{case_number}", "{case_title}"])
    workspace.screenshot(path=str(live_system.logs["web"].parent / "canned-unfilled.png"))
    composer.press("Enter")
    expect(workspace.get_by_test_id("composer-error")).to_contain_text("Replace {case_number}, {case_title}")
    composer.press_sequentially("CS0000042")  # the placeholder was selected: typing replaces it
    unfilled.filter(has_text="{case_title}").click()
    composer.press_sequentially("the armrest")
    expect(unfilled).to_have_count(0)
    composer.press("Enter")
    sent = live_system.emulator.wait_for_sent_message(to=DANIEL, count=2)
    assert sent["text"]["body"] == (
        "Daniel, your case CS0000042 (the armrest) is being handled; we'll write as soon as it moves."
    )

    case = open_case(short_description="Broken armrest", interaction=interaction)
    composer.press_sequentially("/status")
    action = menu.get_by_test_id("canned-action").filter(has_text="Send the latest case status")
    expect(action).to_be_visible()
    action.click()
    expect(composer).to_have_value("")
    sent = live_system.emulator.wait_for_sent_message(to=DANIEL, count=3)
    assert sent["text"]["body"] == f"Your case {case.number} (Broken armrest) is new."
    expect(workspace.get_by_test_id("message").filter(has_text=f"Your case {case.number}")).to_be_visible()
    assert Message.objects.filter(direction=Direction.OUTBOUND, author=alice).count() == 3


def test_an_agent_keeps_their_own_responses_in_my_responses_and_finds_them_in_the_menu(live_system, new_page):  # noqa: F811
    seed_canned_responses_demo()
    alice = agent(username="alice", first_name="Alice")
    live_system.emulator.customer_sends(DANIEL, "Hi, the chair I got is broken.", name="Dan W.")
    workspace = new_page()
    sign_in(workspace, live_system, "alice")
    hand_over(customer=DANIEL, to=alice)
    errors = collect_script_errors(workspace)

    workspace.get_by_test_id("my-responses-open").click()
    dialog = workspace.get_by_role("dialog", name="My responses")
    expect(dialog.get_by_test_id("my-responses-empty")).to_be_visible()
    expect(dialog.get_by_test_id("shared-response")).to_have_count(4)  # the admins': shown, not hers to change
    expect(dialog.get_by_test_id("shared-response").get_by_role("button")).to_have_count(0)
    dialog.get_by_test_id("my-response-shortcut").fill("Photo please")
    dialog.get_by_test_id("my-response-title").fill("Ask for a photo")
    dialog.get_by_test_id("my-response-body").fill("Could you send a photo of it, ")
    dialog.get_by_test_id("my-response-placeholders").get_by_role("button", name="{customer_name}").click()
    dialog.get_by_test_id("my-response-save").click()
    expect(dialog.get_by_test_id("my-responses-error")).to_contain_text("Lower-case letters")  # the server's rule
    dialog.get_by_test_id("my-response-shortcut").fill("photo")
    dialog.get_by_test_id("my-response-save").click()
    saved = dialog.get_by_test_id("my-response")
    expect(saved).to_have_count(1)
    expect(saved.get_by_test_id("response-shortcut")).to_have_text("/photo")
    expect(dialog.get_by_test_id("my-responses-error")).to_be_hidden()

    saved.get_by_test_id("my-response-edit").click()
    expect(dialog.get_by_test_id("my-responses-form-title")).to_have_text("Change /photo")
    dialog.get_by_test_id("my-response-body").press("End")
    dialog.get_by_test_id("my-response-body").press_sequentially("?")
    dialog.get_by_test_id("my-response-save").click()
    expect(saved).to_contain_text("Could you send a photo of it, {customer_name}?")
    workspace.screenshot(path=str(live_system.logs["web"].parent / "my-responses.png"))
    dialog.get_by_role("button", name="Close").click()

    workspace.get_by_test_id("interaction-item").first.click()
    composer = workspace.get_by_test_id("composer-input")
    composer.press_sequentially("/pho")
    menu = workspace.get_by_role("listbox", name="Canned responses and quick actions")
    expect(menu.get_by_test_id("canned-response").first).to_contain_text("Could you send a photo of it, Dan W.?")

    workspace.get_by_test_id("my-responses-open").click()
    delete = dialog.get_by_test_id("my-response-delete")
    delete.click()
    expect(delete).to_have_text("Delete /photo?")  # one stray click deletes nothing
    delete.click()
    expect(dialog.get_by_test_id("my-responses-empty")).to_be_visible()
    assert not alice.canned_responses.exists()
    assert errors == []
