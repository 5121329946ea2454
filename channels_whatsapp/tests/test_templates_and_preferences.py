"""Meta's template list into the core's definitions, and the marketing preference webhook in both shapes."""

from channels_whatsapp import translate
from channels_whatsapp.emulator.templates import default_templates
from channels_whatsapp.payloads import MarketingPreference, parse_notification
from channels_whatsapp.templates import template_definitions


def test_each_template_becomes_one_definition_per_business_number():
    definitions = template_definitions({"data": default_templates("102290129340398")}, account_ids=["1", "2"])

    order_update = next(d for d in definitions if d.name == "order_update" and d.language == "en_US")
    assert len(definitions) == 2 * len(default_templates("x"))
    assert (order_update.category, order_update.status, order_update.header) == ("utility", "approved", "Order {{1}}")
    assert order_update.buttons[0] == {
        "type": "url",
        "text": "Track order",
        "url": "https://shop.example.com/track/{{1}}",
    }
    assert {d.status for d in definitions if d.name in ("holiday_hours", "welcome_offer")} == {"paused", "disabled"}


def _preferences(field: str) -> dict:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
        "user_preferences": [
            {
                "wa_id": "16505551234",
                "detail": "User requested to stop marketing messages",
                "category": "marketing_messages",
                "value": "stop",
                "timestamp": 1731705721,
            }
        ],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"value": value, "field": field}]}],
    }


def test_a_marketing_stop_is_read_from_its_own_field_and_from_a_messages_change():
    for field in ("user_preferences", "messages"):
        (event,) = parse_notification(_preferences(field))
        assert isinstance(event, MarketingPreference)
        change = translate.marketing_preference(event)
        assert (change.sender_id, change.stopped, change.account_id) == ("16505551234", True, "106540352242922")


def test_other_preference_categories_are_not_consent():
    document = _preferences("user_preferences")
    document["entry"][0]["changes"][0]["value"]["user_preferences"][0]["category"] = "something_new"
    (event,) = parse_notification(document)
    assert translate.marketing_preference(event) is None
