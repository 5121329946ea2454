"""Recognising a customer as a contact by their number, and an agent's correction of it."""

import pytest

from customer_service.errors import InputRefused
from customer_service.services.contacts import contact_for, link_contact, normalized_phone_number, unlink_contact
from customer_service.tests.factories import ContactFactory
from tests.factories import ChannelUserFactory, agent

pytestmark = pytest.mark.django_db


def test_a_customer_whose_number_is_a_contacts_phone_is_that_contact():
    daniel = ContactFactory(first_name="Daniel", phone="4915112345678")

    assert contact_for(ChannelUserFactory(external_id="4915112345678")) == daniel
    assert contact_for(ChannelUserFactory(external_id="4915199999999")) is None


def test_an_agents_link_beats_the_number_and_an_unlink_stays_unlinked():
    customer = ChannelUserFactory(external_id="4915112345678")
    ContactFactory(phone="4915112345678")
    priya = ContactFactory(first_name="Priya")
    alice = agent()

    link_contact(channel_user=customer, contact=priya, by=alice)
    assert contact_for(customer) == priya

    unlink_contact(channel_user=customer, by=alice)
    assert contact_for(customer) is None


@pytest.mark.parametrize(
    ("written", "stored"),
    [("+49 151 12345678", "4915112345678"), ("0049 151 1234 5678", "4915112345678"), ("447700900123", "447700900123")],
)
def test_phone_numbers_are_stored_as_the_channel_spells_them(written, stored):
    assert normalized_phone_number(written) == stored


@pytest.mark.parametrize("written", ["", "call me", "+12"])
def test_a_phone_number_that_is_none_is_refused_with_an_example(written):
    with pytest.raises(InputRefused, match="with its country code"):
        normalized_phone_number(written)
