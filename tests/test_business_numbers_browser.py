"""An admin connects a business number in the browser (Chromium): copies what Meta's dashboard needs, tests the
connection through the emulator, and reads plainly that a revoked token is the problem."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from channels_whatsapp.connection import active_business_numbers

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_admin_copies_the_callback_url_and_tests_the_connection(live_system, chromium):
    get_user_model().objects.create_superuser("root", "root@example.com", "password")
    number = active_business_numbers()[0]
    context = chromium.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(
            f"{live_system.web_url}/admin/login/?next=/admin/channels_whatsapp/businessnumber/{number.pk}/change/"
        )
        page.fill("input[name=username]", "root")
        page.fill("input[name=password]", "password")
        page.click("input[type=submit]")

        callback_url = f"{settings.PUBLIC_BASE_URL}/webhooks/whatsapp/"
        expect(page.get_by_test_id("callback-url")).to_have_value(callback_url)
        expect(page.get_by_test_id("verify-token")).to_have_value(settings.WHATSAPP_VERIFY_TOKEN)
        expect(page.get_by_test_id("secret-status")).to_contain_text("Access token: set")
        page.locator("[data-copy-from=callback-url]").click()
        expect(page.locator("[data-copy-from=callback-url]")).to_have_text("Copied")
        assert page.evaluate("navigator.clipboard.readText()") == callback_url

        page.get_by_test_id("test-connection").click()
        report = page.get_by_test_id("connection-report")
        expect(report).to_have_attribute("data-ok", "true")
        expect(report).to_contain_text("Connected. Meta knows this number as WhatsDesk Demo")
        expect(report).to_contain_text("Quality rating: GREEN")
        expect(report).to_contain_text("Webhooks: subscribed (WhatsDesk)")

        live_system.emulator.set_token_revoked()
        page.get_by_test_id("test-connection").click()
        expect(page.get_by_test_id("connection-problem")).to_contain_text("Meta refused the access token (error 190")
        expect(page.get_by_test_id("connection-report")).to_have_attribute("data-ok", "false")
        assert settings.WHATSAPP_ACCESS_TOKEN not in page.content()
        page.screenshot(path=str(live_system.logs["web"].parent / "business-number-revoked-token.png"))
    finally:
        context.close()
