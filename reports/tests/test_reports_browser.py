"""A manager reads the week's report in Chromium under a strict Content-Security-Policy: the four charts draw from
the vendored Chart.js, nothing inline is refused, and the CSV link downloads the table."""

import os
from pathlib import Path

import pytest
from django.test import Client

from reports.tests.dataset import build_desk
from tests.factories import manager

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'"
CHARTS = ("chart-conversations", "chart-queues", "chart-consent", "chart-failures")


def painted_pixels(page, canvas_id: str) -> int:
    """How many pixels of the canvas are not transparent: a chart that drew nothing has none."""
    return page.evaluate(
        """(id) => {
            const canvas = document.getElementById(id);
            const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
            return painted;
        }""",
        canvas_id,
    )


def test_a_manager_sees_the_charts_drawn_under_a_strict_csp(live_server, chromium, settings, tmp_path):
    settings.TIME_ZONE = "Europe/Berlin"
    build_desk()
    client = Client()
    client.force_login(manager(username="mia"))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value

    context = chromium.new_context(viewport={"width": 1360, "height": 1400}, accept_downloads=True)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    def with_strict_csp(route):
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": STRICT_CSP})

    page.route(f"{live_server.url}/reports/**", with_strict_csp)
    try:
        page.goto(f"{live_server.url}/reports/?from=2026-11-30&to=2026-12-06")
        for chart in CHARTS:
            page.wait_for_selector(f"#{chart}[data-rendered]")
        painted = {chart: painted_pixels(page, chart) for chart in CHARTS}
        screenshot = Path(os.environ.get("REPORTS_SCREENSHOT", tmp_path / "reports.png"))
        page.screenshot(path=str(screenshot), full_page=True)

        assert all(count > 500 for count in painted.values()), painted
        assert problems == []  # no script or style refused by the policy, no error
        assert page.get_by_test_id("table-queues").get_by_role("row", name="Sales").is_visible()

        with page.expect_download() as download:
            page.get_by_test_id("export-failures").click()
        text = Path(download.value.path()).read_text()
        assert text.splitlines()[1] == "131047,Re-engagement message,2"
    finally:
        context.close()
