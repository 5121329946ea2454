"""The outreach policy, one test per branch, in the order the checks run, with the reason a person reads."""

from datetime import UTC, datetime, timedelta

from consent.policies import ConsentState, Recipient, e164_number, outreach_decision

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
OPTED_IN = ConsentState(status="opted_in", at=NOW - timedelta(days=30), method="web_form")


def recipient(**changes) -> Recipient:
    facts = {
        "channel_label": "WhatsApp",
        "service_window": timedelta(hours=24),
        "phone_number": "4915112345678",
        "consent": OPTED_IN,
        "marketing": ConsentState(),
        "unreachable_since": None,
        "last_inbound_at": NOW - timedelta(hours=2),
    }
    return Recipient(**{**facts, **changes})


def test_no_profile_is_refused_first():
    decision = outreach_decision(recipient=None, template_category=None, now=NOW)
    assert not decision.allowed
    assert decision.reason.startswith("There is no customer profile for this number")


def test_an_opted_out_customer_is_refused_with_the_date():
    opted_out = ConsentState(status="opted_out", at=datetime(2026, 3, 12, 9, 30, tzinfo=UTC), method="keyword")
    decision = outreach_decision(recipient=recipient(consent=opted_out), template_category="utility", now=NOW)
    assert not decision.allowed
    assert decision.reason == "Customer opted out on 2026-03-12; we may write first again only after they opt in."


def test_a_customer_without_any_consent_record_is_refused():
    decision = outreach_decision(recipient=recipient(consent=ConsentState()), template_category=None, now=NOW)
    assert not decision.allowed
    assert decision.reason.startswith("The customer has not opted in to messages from us")


def test_an_invalid_number_is_refused():
    decision = outreach_decision(recipient=recipient(phone_number="15550001234"), template_category=None, now=NOW)
    assert not decision.allowed
    assert decision.reason == "+15550001234 is not a valid international number."


def test_a_number_known_to_be_off_whatsapp_is_refused_with_the_date():
    off = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)
    decision = outreach_decision(recipient=recipient(unreachable_since=off), template_category=None, now=NOW)
    assert not decision.allowed
    assert decision.reason == (
        "+4915112345678 is not on WhatsApp: a message to it was reported undeliverable on 2026-02-01."
    )


def test_free_form_outside_the_window_is_refused_and_asks_for_a_template():
    decision = outreach_decision(
        recipient=recipient(last_inbound_at=NOW - timedelta(hours=24)), template_category=None, now=NOW
    )
    assert not decision.allowed
    assert decision.template_required
    assert "The 24-hour customer service window closed at 2026-03-20 12:00 UTC" in decision.reason


def test_free_form_inside_the_window_is_allowed_until_it_closes():
    decision = outreach_decision(
        recipient=recipient(last_inbound_at=NOW - timedelta(hours=23, minutes=59, seconds=59)),
        template_category=None,
        now=NOW,
    )
    assert decision.allowed
    assert decision.window_closes_at == NOW + timedelta(seconds=1)


def test_a_template_is_allowed_outside_the_window():
    decision = outreach_decision(
        recipient=recipient(last_inbound_at=NOW - timedelta(days=40)), template_category="utility", now=NOW
    )
    assert decision.allowed


def test_a_marketing_template_honours_the_marketing_opt_out():
    stopped = ConsentState(status="opted_out", at=datetime(2026, 3, 1, tzinfo=UTC), method="channel_report")
    decision = outreach_decision(recipient=recipient(marketing=stopped), template_category="marketing", now=NOW)
    assert not decision.allowed
    assert decision.reason == (
        "The customer stopped marketing messages on 2026-03-01; only utility or authentication templates may be sent."
    )


def test_a_utility_template_is_allowed_despite_the_marketing_opt_out():
    stopped = ConsentState(status="opted_out", at=datetime(2026, 3, 1, tzinfo=UTC), method="channel_report")
    assert outreach_decision(recipient=recipient(marketing=stopped), template_category="utility", now=NOW).allowed


def test_numbers_are_checked_with_phonenumbers():
    assert e164_number("4915112345678") == "+4915112345678"
    assert e164_number("+1 650 555 1234") == "+16505551234"
    assert e164_number("12345") is None
