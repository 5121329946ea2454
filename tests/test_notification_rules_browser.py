"""An admin edits a notification rule in the browser (Chromium): a typo in a placeholder is refused with the words
the event fills, the corrected text is saved, and the customer then reads it."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from conftest import wait_until
from customer_service.models import CaseState, NotificationEvent, NotificationRule
from customer_service.services.cases import change_case_state, open_case
from interactions.models import Message, Notification
from interactions.services.templates import sync_message_templates
from tests.consent_factories import opted_in

CUSTOMER = "4915112345678"

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_admin_rewords_the_case_update_and_the_customer_reads_it(live_system, chromium):
    get_user_model().objects.create_superuser("root", "root@example.com", "password")
    wamid = live_system.emulator.customer_sends(CUSTOMER, "My chair is broken", name="Daniel Weber")
    customer = wait_until(lambda: Message.objects.filter(external_id=wamid).first()).interaction.channel_user
    opted_in(customer)
    sync_message_templates()  # the emulator's case_update: a rule's template must be synced and approved
    rule = NotificationRule.objects.get(event=NotificationEvent.CASE_STATE_CHANGED)
    page = chromium.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_system.web_url}/admin/login/?next=/admin/customer_service/notificationrule/{rule.pk}/change/")
        page.fill("input[name=username]", "root")
        page.fill("input[name=password]", "password")
        page.click("input[type=submit]")

        english = page.locator("textarea[name='texts-0-text']")
        english.fill("Hi {customer_name}, {case_nummer} is {state}.")
        page.click("input[name=_continue]")
        expect(page.locator(".errorlist")).to_contain_text("The en text uses {case_nummer}")
        page.screenshot(path=str(live_system.logs["web"].parent / "notification-rule-refused.png"), full_page=True)

        page.locator("textarea[name='texts-0-text']").fill("Hi {customer_name}, {case_number} is {state}.")
        page.click("input[name=_continue]")
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
        page.screenshot(path=str(live_system.logs["web"].parent / "notification-rule-saved.png"), full_page=True)
    finally:
        page.close()

    case = open_case(channel_user=customer, short_description="Broken armrest")
    change_case_state(case, state=CaseState.RESOLVED)  # committed: the worker sends it

    sent = live_system.emulator.wait_for_sent_message(to=CUSTOMER)
    assert sent["text"]["body"] == f"Hi Daniel Weber, {case.number} is resolved."
    assert Notification.objects.get().reason == f"Case {case.number} is now resolved"
