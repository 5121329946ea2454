"""Fixtures of the WhatsApp channel's tests."""

import pytest

from channels_whatsapp.models import BusinessNumber
from channels_whatsapp.tests.webhook_deliveries import APP_SECRET, EXAMPLE_NUMBERS


@pytest.fixture
def example_numbers(db) -> list[BusinessNumber]:
    """The business numbers Meta's example payloads speak for, in the same Meta app as the settings' number."""
    return [
        BusinessNumber.objects.create(
            phone_number_id=phone_number_id, access_token="t", app_secret=APP_SECRET, verify_token="v"
        )
        for phone_number_id in EXAMPLE_NUMBERS
    ]
