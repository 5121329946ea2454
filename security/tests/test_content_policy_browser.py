"""Pages the other browser tests do not walk, in Chromium under the Content-Security-Policy: the admin's own pages
(Django's templates and ours), the API docs and the sign-in page. The browser fixture (conftest.py) fails a test on
anything the policy refused; these also check the page drew what its scripts and styles draw."""

import pytest
from playwright.sync_api import expect

from interactions.roles import ADMIN
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ADMIN_PAGES = [
    "/admin/",
    "/admin/auth/user/",
    "/admin/auth/user/add/",
    "/admin/interactions/interaction/",
    "/admin/channels_whatsapp/businessnumber/",
    "/admin/channels_whatsapp/businessnumber/add/",
    "/admin/routing/routingrule/",
    "/admin/audit/auditentry/",
    "/admin/security/apitoken/",
    "/admin/security/apitoken/add/",
    "/admin/otp_totp/totpdevice/",
]


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_the_admin_pages_work_under_the_policy(live_system, page):
    UserFactory(username="root", is_staff=True, is_superuser=True, role=ADMIN)
    page.goto(f"{live_system.web_url}/admin/login/")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", "password")
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()

    for path in ADMIN_PAGES:
        answer = page.goto(f"{live_system.web_url}{path}")
        assert answer.status == 200, path
        assert "script-src 'self'" in answer.headers["content-security-policy"]
        # Django's own stylesheet applied: the header is the admin's dark band, not an unstyled list.
        assert page.evaluate("getComputedStyle(document.querySelector('#header')).display") == "flex", path

    page.goto(f"{live_system.web_url}/admin/auth/user/")
    page.check("#action-toggle")  # actions.js: "select all" ticks every row
    expect(page.locator(".action-counter")).to_contain_text("selected")


def test_the_two_factor_enrolment_draws_its_qr_code_under_the_policy(live_system, page):
    UserFactory(username="ana", role=ADMIN)
    page.goto(f"{live_system.web_url}/login/")
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", "password")
    page.click("button[type=submit]")
    page.goto(f"{live_system.web_url}/account/two-factor/")

    box = page.locator("[data-testid=two-factor-qr] svg").bounding_box()
    assert box["width"] == 200  # sized by static/security/two_factor.css, not an attribute


def test_the_api_docs_draw_the_operations_under_the_policy(live_system, page):
    answer = page.goto(f"{live_system.web_url}/api/docs/")

    assert "style-src 'self'" in answer.headers["content-security-policy"]
    # Swagger UI read the schema (generated on first request: slow on a busy machine)
    expect(page.locator(".opblock-summary-path").first).to_be_visible(timeout=60_000)


def test_an_injected_inline_script_is_refused_and_fails_the_browser_tests(live_system, page):
    """What the policy is for: markup that slipped through escaping cannot run; and the fixture that fails every
    browser test on a refusal hears of it."""
    from conftest import _POLICY_VIOLATIONS

    page.goto(f"{live_system.web_url}/login/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = true';"
        " document.body.append(s);"
        " document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=\"window.ran=1\">'); }"
    )
    page.wait_for_timeout(300)

    assert page.evaluate("window.ran") is None
    noted = list(_POLICY_VIOLATIONS)
    _POLICY_VIOLATIONS.clear()  # expected here; any other test would fail on them
    assert any("inline script" in line or "script-src" in line for line in noted), noted
