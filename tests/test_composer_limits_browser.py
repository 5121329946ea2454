"""The composer counts against the limits the server sends with the interaction: WhatsApp's 4,096 characters for
a text, and 1,024 once a file is attached and the text becomes its caption."""

import pytest
from playwright.sync_api import expect

from tests.factories import agent
from tests.handing_over import hand_over
from tests.media_samples import MEDIA_DIR
from tests.test_workspace_browser import new_page, sign_in  # noqa: F401 -- new_page is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CUSTOMER = "447700900789"


def test_the_composer_counts_against_the_channels_text_and_caption_limits(live_system, new_page):  # noqa: F811
    alice = agent(username="alice")
    live_system.emulator.customer_sends(CUSTOMER, "Can you send the manual?", name="Priya Raman")
    workspace = new_page()
    sign_in(workspace, live_system, "alice")
    hand_over(customer=CUSTOMER, to=alice)
    workspace.get_by_test_id("interaction-item").filter(has_text="Priya Raman").click()
    counter, send = workspace.get_by_test_id("composer-counter"), workspace.get_by_test_id("composer-send")

    workspace.get_by_test_id("composer-input").fill("x" * 3700)
    expect(counter).to_have_text("3,700 / 4,096")
    expect(send).to_be_enabled()

    workspace.get_by_test_id("composer-file").set_input_files(str(MEDIA_DIR / "photo.png"))
    expect(counter).to_have_text("3,700 / 1,024")
    expect(send).to_be_disabled()

    workspace.get_by_test_id("composer-input").fill("x" * 1000)
    expect(counter).to_have_text("1,000 / 1,024")
    expect(send).to_be_enabled()
