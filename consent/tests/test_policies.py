"""The consent policies, one test per branch, in the order the checks run, with the reason a person reads.

The service window is the core's rule (its edges are tested in `interactions/tests/test_policies.py`); here it
arrives decided, as the caller passes it in.
"""

from datetime import UTC, datetime, timedelta

import pytest

from consent.policies import (
    ConsentState,
    Recipient,
    ServiceWindow,
    delivery_decision,
    e164_number,
    opt_out_silences,
    outreach_decision,
    reply_decision,
)

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
OPTED_IN = ConsentState(status="opted_in", at=NOW - timedelta(days=30), method="web_form")
STOPPED_AT = datetime(2026, 3, 20, 11, 0, tzinfo=UTC)
STOPPED = ConsentState(status="opted_out", at=STOPPED_AT, method="keyword")
OPEN = ServiceWindow(open=True, closes_at=NOW + timedelta(hours=22))
CLOSED = ServiceWindow(
    open=False,
    reason="The 24-hour customer service window closed at 2026-03-20 12:00 UTC; only a template may be sent.",
    closes_at=NOW,
)


def recipient(**changes) -> Recipient:
    facts = {
        "channel_label": "WhatsApp",
        "phone_number": "4915112345678",
        "consent": OPTED_IN,
        "marketing": ConsentState(),
        "unreachable_since": None,
        "window": OPEN,
        "last_received_at": NOW - timedelta(hours=2),
    }
    return Recipient(**{**facts, **changes})


def test_no_profile_is_refused_first():
    decision = outreach_decision(recipient=None, template_category=None)
    assert not decision.allowed
    assert decision.reason.startswith("There is no customer profile for this number")


def test_an_opted_out_customer_is_refused_with_the_date():
    opted_out = ConsentState(status="opted_out", at=datetime(2026, 3, 12, 9, 30, tzinfo=UTC), method="keyword")
    decision = outreach_decision(recipient=recipient(consent=opted_out), template_category="utility")
    assert not decision.allowed
    assert decision.reason == "Customer opted out on 2026-03-12; we may write first again only after they opt in."


def test_a_customer_without_any_consent_record_is_refused():
    decision = outreach_decision(recipient=recipient(consent=ConsentState()), template_category=None)
    assert not decision.allowed
    assert decision.reason.startswith("The customer has not opted in to messages from us")


def test_an_invalid_number_is_refused():
    decision = outreach_decision(recipient=recipient(phone_number="15550001234"), template_category=None)
    assert not decision.allowed
    assert decision.reason == "+15550001234 is not a valid international number."


def test_a_number_known_to_be_off_whatsapp_is_refused_with_the_date():
    off = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)
    decision = outreach_decision(recipient=recipient(unreachable_since=off), template_category=None)
    assert not decision.allowed
    assert decision.reason == (
        "+4915112345678 is not on WhatsApp: a message to it was reported undeliverable on 2026-02-01."
    )


def test_free_form_outside_the_window_is_refused_with_the_windows_reason_and_asks_for_a_template():
    decision = outreach_decision(recipient=recipient(window=CLOSED), template_category=None)
    assert not decision.allowed
    assert decision.template_required
    assert decision.reason == CLOSED.reason


def test_free_form_inside_the_window_is_allowed_until_it_closes():
    decision = outreach_decision(recipient=recipient(window=OPEN), template_category=None)
    assert decision.allowed
    assert decision.window_closes_at == OPEN.closes_at


def test_a_template_is_allowed_outside_the_window():
    decision = outreach_decision(recipient=recipient(window=CLOSED), template_category="utility")
    assert decision.allowed


def test_a_marketing_template_honours_the_marketing_opt_out():
    stopped = ConsentState(status="opted_out", at=datetime(2026, 3, 1, tzinfo=UTC), method="channel_report")
    decision = outreach_decision(recipient=recipient(marketing=stopped), template_category="marketing")
    assert not decision.allowed
    assert decision.reason == (
        "The customer stopped marketing messages on 2026-03-01; only utility or authentication templates may be sent."
    )


def test_a_utility_template_is_allowed_despite_the_marketing_opt_out():
    stopped = ConsentState(status="opted_out", at=datetime(2026, 3, 1, tzinfo=UTC), method="channel_report")
    assert outreach_decision(recipient=recipient(marketing=stopped), template_category="utility").allowed


def test_numbers_are_checked_with_phonenumbers():
    assert e164_number("4915112345678") == "+4915112345678"
    assert e164_number("+1 650 555 1234") == "+16505551234"
    assert e164_number("12345") is None


@pytest.mark.parametrize(
    ("consent", "last_received_at", "silenced"),
    [
        (STOPPED, STOPPED_AT - timedelta(seconds=1), True),  # the STOP itself, received before it was recorded
        (STOPPED, STOPPED_AT, True),
        (STOPPED, STOPPED_AT + timedelta(microseconds=1), False),  # any message after it
        (STOPPED, None, True),  # an opt-out recorded by an agent for someone who never wrote
        (OPTED_IN, STOPPED_AT - timedelta(days=1), False),
        (ConsentState(), None, False),  # nothing recorded: the other rules decide
    ],
)
def test_an_opt_out_silences_until_the_customer_writes_again_or_opts_in(consent, last_received_at, silenced):
    assert opt_out_silences(consent=consent, last_received_at=last_received_at) is silenced


def test_a_reply_after_stop_is_refused_with_the_date_even_inside_the_window():
    decision = reply_decision(consent=STOPPED, last_received_at=STOPPED_AT - timedelta(seconds=1), window=OPEN)
    assert not decision.allowed
    assert not decision.template_required  # a template would not be allowed either
    assert decision.opted_out_at == STOPPED_AT
    assert decision.reason == (
        "The customer opted out on 2026-03-20 and has not written since; nothing may be sent to them until they "
        "write again or opt in."
    )


def test_a_reply_after_the_customer_wrote_again_is_judged_by_the_window():
    wrote_again = reply_decision(consent=STOPPED, last_received_at=STOPPED_AT + timedelta(minutes=5), window=OPEN)
    assert (wrote_again.allowed, wrote_again.opted_out_at) == (True, None)
    closed = reply_decision(consent=STOPPED, last_received_at=NOW, window=CLOSED)
    assert (closed.allowed, closed.template_required, closed.reason) == (False, True, CLOSED.reason)


def test_the_opt_out_confirmation_alone_goes_out_after_stop():
    confirmation = reply_decision(consent=STOPPED, last_received_at=None, window=OPEN, confirms_opt_out=True)
    assert confirmation.allowed
    assert delivery_decision(consent=STOPPED, last_received_at=None, confirms_opt_out=True).allowed
    assert not delivery_decision(consent=STOPPED, last_received_at=None, confirms_opt_out=False).allowed


def test_a_queued_message_is_delivered_once_the_customer_wrote_again():
    assert delivery_decision(
        consent=STOPPED, last_received_at=STOPPED_AT + timedelta(seconds=1), confirms_opt_out=False
    ).allowed
