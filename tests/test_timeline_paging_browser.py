"""A long conversation in the workspace opens on its newest messages and reads back page by page, in place."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from interactions.links import url_hash
from interactions.models import Direction, Interaction, LinkPreview, Message, MessageStatus
from tests.factories import ChannelUserFactory, InteractionFactory, agent_holding
from tests.test_workspace_browser import CUSTOMER, new_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["new_page"]  # the fixture, shared with the workspace's other browser tests

TOTAL = 120
LINK = "https://shop.example/items/"
OPENED = re.compile(r"IMS\d+ opened")  # the start of the conversation


def text_of(number: int) -> str:
    """Every tenth message links to a page whose preview was fetched before."""
    return f"{LINK}{number} Message number {number}" if number % 10 == 0 else f"Message number {number}"


def long_conversation() -> Interaction:
    interaction = InteractionFactory(channel_user=ChannelUserFactory(external_id=CUSTOMER, display_name="Ana Long"))
    start = timezone.now() - timedelta(hours=3)
    LinkPreview.objects.bulk_create(
        LinkPreview(url=f"{LINK}{number}", url_hash=url_hash(f"{LINK}{number}"), state="ready", title=f"Item {number}")
        for number in range(10, TOTAL + 1, 10)
    )
    Message.objects.bulk_create(
        Message(
            interaction=interaction,
            sequence=number,
            revision=number,
            direction=Direction.INBOUND if number % 2 else Direction.OUTBOUND,
            status=MessageStatus.RECEIVED if number % 2 else MessageStatus.READ,
            text=text_of(number),
            sent_at=start + timedelta(minutes=number),
        )
        for number in range(1, TOTAL + 1)
    )
    Interaction.objects.filter(pk=interaction.pk).update(
        last_sequence=TOTAL, revision=TOTAL, last_message_at=start + timedelta(minutes=TOTAL)
    )
    return interaction


def top_of(page, number: int) -> float:
    return (
        page.get_by_test_id("message")
        .filter(has_text=f"Message number {number}")
        .first.evaluate("node => node.getBoundingClientRect().top")
    )


def test_a_long_conversation_opens_on_its_newest_page_and_loads_earlier_ones_in_place(live_system, new_page):
    agent_holding(long_conversation(), username="alice")
    workspace = new_page()
    preview_requests = []
    workspace.on("request", lambda request: "/link-preview/" in request.url and preview_requests.append(request.url))
    sign_in(workspace, live_system, "alice")

    workspace.get_by_test_id("interaction-item").filter(has_text="Ana Long").click()
    timeline = workspace.get_by_test_id("timeline")
    messages = workspace.get_by_test_id("message")
    expect(messages.last).to_contain_text(f"Message number {TOTAL}")
    expect(messages).to_have_count(50)
    expect(messages.first).to_contain_text("Message number 71")
    expect(workspace.get_by_test_id("load-earlier")).to_be_visible()
    expect(timeline).not_to_contain_text(OPENED)
    expect(workspace.get_by_test_id("link-preview-title")).to_have_count(5)  # 80, 90, … 120: no request each

    # Scrolling to the top loads the page before, and the message that was on top stays where the reader left it.
    timeline.evaluate("node => { node.scrollTop = 0; }")
    before = top_of(workspace, 71)
    expect(messages).to_have_count(100)
    expect(messages.first).to_contain_text("Message number 21")
    assert abs(top_of(workspace, 71) - before) < 2

    workspace.get_by_test_id("load-earlier").click()
    expect(messages).to_have_count(TOTAL)
    expect(timeline).to_contain_text(OPENED)
    expect(workspace.get_by_test_id("load-earlier")).to_have_count(0)
    numbers = [int(text.rsplit(" ", 1)[1]) for text in workspace.get_by_test_id("message-text").all_inner_texts()]
    assert numbers == list(range(1, TOTAL + 1))
    expect(workspace.get_by_test_id("link-preview-title")).to_have_count(TOTAL // 10)
    assert preview_requests == []

    # Live updates still arrive after the earlier pages came in.
    live_system.emulator.customer_sends(CUSTOMER, "Message number 121", name="Ana Long")
    expect(messages).to_have_count(TOTAL + 1)
    expect(messages.last).to_contain_text("Message number 121")
