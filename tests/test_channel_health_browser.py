"""Channel health in Chromium: Meta (the emulator) revokes the token, the periodic check notices, and the header
alert appears for an admin without a reload, while the agent is told in the composer that nothing can be sent."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from channels_whatsapp.models import BusinessNumber
from channels_whatsapp.number_health import check_all_numbers
from interactions.models import InteractionState
from interactions.roles import ADMIN
from tests.factories import ChannelUserFactory, InteractionFactory, UserFactory, agent, manager
from tests.test_workspace_browser import new_page, sign_in  # noqa: F401 -- new_page is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_revoked_token_raises_the_header_alert_and_the_agents_cannot_send_notice(live_system, new_page):  # noqa: F811
    shots = live_system.logs["web"].parent
    UserFactory(username="ada", first_name="Ada", role=ADMIN, is_staff=True)
    manager(username="maya", first_name="Maya")
    alice = agent(username="alice", first_name="Alice")
    customer = ChannelUserFactory(external_id="447700900777", display_name="Priya Raman")
    interaction = InteractionFactory(channel_user=customer, assigned_to=alice, state=InteractionState.WORK_IN_PROGRESS)
    check_all_numbers()  # what Celery beat runs: the token works
    admin, agent_page = new_page(), new_page()
    sign_in(admin, live_system, "ada")
    sign_in(agent_page, live_system, "alice")
    agent_page.goto(f"{live_system.web_url}/workspace/#interaction-{interaction.pk}")
    expect(agent_page.get_by_test_id("composer-input")).to_be_enabled()
    expect(admin.get_by_test_id("channel-alert")).to_be_hidden()
    expect(agent_page.get_by_test_id("composer-channel-blocked")).to_be_hidden()

    live_system.emulator.set_token_revoked()
    check_all_numbers()

    alert = admin.get_by_test_id("channel-alert")
    expect(alert).to_be_visible()  # polled, no reload
    expect(alert.get_by_test_id("channel-alert-button")).to_have_text("1 channel alert")
    alert.get_by_test_id("channel-alert-button").click()
    item = alert.get_by_test_id("channel-alert-item")
    expect(item).to_contain_text("Meta refuses this number's requests: nothing can be sent")
    expect(item).to_contain_text("error 190")
    admin.screenshot(path=str(shots / "channel-health-header-alert.png"))
    notice = agent_page.get_by_test_id("composer-channel-blocked")
    expect(notice).to_contain_text("WhatsApp no longer accepts this number's access token (revoked or expired)")
    expect(agent_page.get_by_test_id("channel-alert")).to_have_count(0)  # the admin's alert is not the agent's
    agent_page.screenshot(path=str(shots / "channel-health-composer-notice.png"))

    number = BusinessNumber.objects.get(phone_number_id=customer.account_id)
    health_panel = reverse("admin:channels_whatsapp_businessnumber_change", args=[number.pk]) + "#channel-health"
    expect(item.get_by_role("link", name="Open the health panel")).to_have_attribute("href", health_panel)
    admin.goto(live_system.web_url + health_panel)
    panel = admin.get_by_test_id("health-panel")
    expect(panel.get_by_test_id("health-problem")).to_contain_text("nothing can be sent")
    panel.screenshot(path=str(shots / "channel-health-panel.png"))

    supervisor = new_page()
    sign_in(supervisor, live_system, "maya")
    supervisor.goto(f"{live_system.web_url}/supervisor/")
    card = supervisor.get_by_test_id("channel-account")
    expect(card).to_contain_text("Problem")
    expect(card).to_contain_text("Refused by Meta")
    expect(supervisor.get_by_test_id("channel-alert")).to_be_visible()
    supervisor.screenshot(path=str(shots / "channel-health-supervisor.png"), full_page=True)

    live_system.emulator.set_token_revoked(False)
    check_all_numbers()

    expect(agent_page.get_by_test_id("composer-channel-blocked")).to_be_hidden()
    expect(supervisor.get_by_test_id("channel-alert")).to_be_hidden()
    expect(card).to_contain_text("Healthy")
