"""In Chromium: asking the customer for their location, answered from the phone; and Meta's newer inbound kinds
(orders, forms, ad referrals, edits, deletions, a changed number) as the agent reads them."""

import json

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from channels_whatsapp import translate
from channels_whatsapp.inbox import apply_customer_event
from channels_whatsapp.payloads import parse_notification
from channels_whatsapp.tests.meta_fixtures import meta_body
from interactions.models import Interaction, Message, MessageKind
from tests.factories import agent, agent_holding
from tests.handing_over import hand_over
from tests.test_rich_messages_browser import CUSTOMER, open_phone
from tests.test_workspace_browser import new_page, sign_in  # noqa: F401 (new_page is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

META_TEXT_ID = b"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
ORIGINAL = b"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUVCRDk4QjdCQjUzQjI3MUFBMwA="


def test_the_agent_asks_for_a_location_and_the_customers_answer_is_linked_to_the_request(live_system, new_page):  # noqa: F811
    alice = agent(username="alice", first_name="Alice")
    phone = open_phone(new_page, live_system)
    phone.get_by_test_id("composer-input").fill("Can you come and pick it up?")
    phone.get_by_test_id("send-button").click()
    workspace = new_page()
    sign_in(workspace, live_system, "alice")
    hand_over(customer=CUSTOMER, to=alice)
    workspace.get_by_test_id("interaction-item").filter(has_text="Lena Fischer").click()
    expect(workspace.get_by_test_id("timeline")).to_contain_text("Can you come and pick it up?")

    workspace.get_by_test_id("compose-location-request").click()
    builder = workspace.get_by_test_id("builder")
    builder.get_by_test_id("builder-location-request-body").fill("Where should we pick it up?")
    builder.get_by_test_id("builder-send").click()
    expect(builder).to_be_hidden()
    request = workspace.get_by_test_id("message").filter(has=workspace.get_by_test_id("location-request"))
    expect(request).to_contain_text("Where should we pick it up?")

    expect(phone.get_by_test_id("send-location-button")).to_be_visible()
    phone.screenshot(path=str(live_system.logs["web"].parent / "phone-location-request.png"))
    phone.get_by_test_id("send-location-button").click()
    phone.get_by_test_id("location-preset").filter(has_text="Brandenburg Gate").click()

    answer = workspace.get_by_test_id("message").filter(has=workspace.get_by_test_id("location-card"))
    expect(answer).to_contain_text("Brandenburg Gate")
    expect(answer.get_by_test_id("quote")).to_contain_text("Where should we pick it up?")  # linked to the request
    shared = Message.objects.get(kind=MessageKind.LOCATION)
    assert shared.reply_to.content == {"type": "location_request", "body": "Where should we pick it up?"}


def apply_meta_example(name: str, *, replace: tuple[bytes, bytes] | None = None) -> None:
    """One of Meta's example deliveries, addressed to the test's business number, applied as the inbox would."""
    body = meta_body(name).replace(b"106540352242922", settings.WHATSAPP_PHONE_NUMBER_ID.encode())
    if replace:
        body = body.replace(*replace)
    for message in parse_notification(json.loads(body)):
        apply_customer_event(translate.customer_event(message), received_at=timezone.now())


def test_orders_forms_ad_referrals_edits_deletions_and_a_new_number_read_clearly(live_system, new_page):  # noqa: F811
    apply_meta_example("text_message", replace=(META_TEXT_ID, ORIGINAL))
    apply_meta_example("edit_message")
    apply_meta_example("referral_text_message")
    apply_meta_example("order_message")
    apply_meta_example("interactive_nfm_reply")
    apply_meta_example("revoke_message")
    apply_meta_example("system_user_changed_number")
    agent_holding(*Interaction.objects.all(), username="alice")
    workspace = new_page()
    sign_in(workspace, live_system, "alice")

    workspace.get_by_test_id("interaction-item").first.click()

    timeline = workspace.get_by_test_id("timeline")
    edited = timeline.get_by_test_id("message").filter(has=workspace.get_by_test_id("message-edited"))
    expect(edited.get_by_test_id("message-text")).to_have_text("Does it come in dark blue?")
    expect(edited.get_by_test_id("message-deleted")).to_have_text("Deleted by the customer")
    edited.get_by_test_id("message-edited").locator("summary").click()
    expect(edited.get_by_test_id("message-original")).to_have_text("Does it come in another color?")
    referred = timeline.get_by_test_id("message").filter(has=workspace.get_by_test_id("message-referral"))
    expect(referred.get_by_test_id("message-referral")).to_contain_text("Came from ad: Summer sale")
    expect(referred.get_by_test_id("message-referral").locator("a")).to_have_attribute(
        "href", "https://fb.me/3cr4Wqqkv"
    )
    order = timeline.get_by_test_id("order-card")
    expect(order.get_by_test_id("order-item")).to_have_count(3)
    expect(order.get_by_test_id("order-item").first).to_contain_text("HAMBURGER")
    expect(order.get_by_test_id("order-total")).to_contain_text("180.00")
    expect(order).to_contain_text("Please deliver after 5 pm")
    form = timeline.get_by_test_id("flow-reply")
    expect(form).to_contain_text("Filled in the form “flow”")
    expect(form.locator('[data-field="comment_text"]')).to_have_text("Comment Text")
    expect(form.locator('[data-field="flow_token"]')).to_have_count(0)
    expect(timeline).to_contain_text("The customer changed from 16505551234 to 16505559876")
    expect(timeline).not_to_contain_text("unsupported")
    workspace.screenshot(path=str(live_system.logs["web"].parent / "workspace-inbound-kinds.png"))


def test_the_customer_edits_deletes_and_orders_on_the_phone_and_the_agent_sees_each(live_system, new_page):  # noqa: F811
    alice = agent(username="alice")
    phone = open_phone(new_page, live_system)
    phone.get_by_test_id("composer-input").fill("Do you have filters?")
    phone.get_by_test_id("send-button").click()
    phone.wait_for_function("() => !sending")  # the phone sends one at a time: a second Send meanwhile is ignored
    phone.get_by_test_id("composer-input").fill("My card number is 4111 1111")
    phone.get_by_test_id("send-button").click()
    workspace = new_page()
    sign_in(workspace, live_system, "alice")
    hand_over(customer=CUSTOMER, to=alice)
    workspace.get_by_test_id("interaction-item").filter(has_text="Lena Fischer").click()
    timeline = workspace.get_by_test_id("timeline")
    expect(timeline).to_contain_text("My card number is 4111 1111")

    first_id = phone.get_by_test_id("message-bubble").filter(has_text="Do you have filters?").get_attribute("data-id")
    first = phone.locator(f'[data-testid="message-bubble"][data-id="{first_id}"]')
    first.hover()
    first.get_by_test_id("bubble-edit").click()
    phone.get_by_test_id("edit-form").locator("textarea").fill("Do you have paper filters?")
    phone.get_by_test_id("edit-send").click()
    expect(first.get_by_test_id("edited-mark")).to_be_visible()
    second = phone.get_by_test_id("message-bubble").filter(has_text="4111")
    second.hover()
    second.get_by_test_id("bubble-delete").click()
    expect(phone.get_by_test_id("message-list")).to_contain_text("You deleted this message")
    phone.get_by_test_id("share-button").click()
    phone.get_by_test_id("share-order").click()
    phone.get_by_test_id("order-quantity").nth(2).fill("3")
    phone.get_by_test_id("order-send").click()

    edited = timeline.get_by_test_id("message").filter(has=workspace.get_by_test_id("message-edited"))
    expect(edited.get_by_test_id("message-text")).to_have_text("Do you have paper filters?")
    deleted = timeline.get_by_test_id("message").filter(has=workspace.get_by_test_id("message-deleted"))
    expect(deleted.get_by_test_id("message-text")).to_have_text("My card number is 4111 1111")  # agents still see it
    order = timeline.get_by_test_id("order-card")
    expect(order.get_by_test_id("order-item")).to_contain_text("PAPER-FILTERS")
    expect(order.get_by_test_id("order-total")).to_contain_text("12.60")
    phone.screenshot(path=str(live_system.logs["web"].parent / "phone-edit-delete-order.png"))
