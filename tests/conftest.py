"""Fixtures for the tests under tests/ only."""

from collections.abc import Iterator

import pytest

from channels_whatsapp.emulator.config import BusinessNumber, EmulatorConfig
from channels_whatsapp.emulator.server import EmulatorServer


@pytest.fixture
def graph_api(settings) -> Iterator[EmulatorServer]:
    """An emulator in this process for the settings' business number, sending no webhooks; the app talks to it."""
    config = EmulatorConfig(
        port=0,
        webhook_url="",
        business_numbers=(
            BusinessNumber(
                phone_number_id=settings.WHATSAPP_PHONE_NUMBER_ID,
                display_phone_number=settings.WHATSAPP_DISPLAY_PHONE_NUMBER,
                waba_id=settings.WHATSAPP_WABA_ID,
                access_token=settings.WHATSAPP_ACCESS_TOKEN,
                app_secret=settings.WHATSAPP_APP_SECRET,
            ),
        ),
    )
    with EmulatorServer(config) as server:
        settings.WHATSAPP_GRAPH_API_URL = server.url
        yield server
