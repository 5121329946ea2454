"""The open list loads 50 conversations at first and the rest as the agent scrolls to its end."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from interactions.models import Interaction
from tests.factories import ChannelUserFactory, InteractionFactory, agent
from tests.test_workspace_browser import new_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["new_page"]  # the fixture, shared with the workspace's other browser tests

OPEN = 130  # three pages of 50, the second and third starting 10 rows early


def test_the_open_list_loads_the_next_page_as_the_agent_scrolls(live_system, new_page):
    alice = agent(username="alice")
    start = timezone.now() - timedelta(hours=5)
    for number in range(1, OPEN + 1):
        customer = ChannelUserFactory(display_name=f"Customer {number:03}")
        interaction = InteractionFactory(channel_user=customer, assigned_to=alice)
        Interaction.objects.filter(pk=interaction.pk).update(last_message_at=start + timedelta(minutes=number))
    workspace = new_page()
    sign_in(workspace, live_system, "alice")
    items = workspace.get_by_test_id("interaction-item")

    expect(items).to_have_count(50)
    expect(workspace.locator("#open-count")).to_have_text(f"50 of {OPEN}")
    expect(items.first).to_contain_text(f"Customer {OPEN:03}")  # the newest first

    for loaded in (90, OPEN):  # each page starts 10 rows early, in case some closed meanwhile
        workspace.get_by_test_id("interaction-list").evaluate("list => list.scrollTo(0, list.scrollHeight)")
        expect(items).to_have_count(loaded)
    expect(workspace.locator("#open-count")).to_have_text(str(OPEN))
    expect(items.last).to_contain_text("Customer 001")  # nothing skipped, nothing twice
