"""Cases as agents and the virtual agent open and work them: numbered, with their history, their
conversations and the files the customer sent."""

import pytest

from customer_service.errors import InputRefused, StateRefused
from customer_service.models import Case, CaseState
from customer_service.services.cases import (
    add_case_comment,
    cases_for,
    change_case_state,
    link_case_to_interaction,
    open_case,
    open_cases_for,
)
from customer_service.tests.factories import ContactFactory, customer_file
from tests.factories import ChannelUserFactory, InteractionFactory, agent

pytestmark = pytest.mark.django_db


def test_cases_are_numbered_in_order_from_cs0001001():
    customer = ChannelUserFactory()

    numbers = [open_case(channel_user=customer, short_description=f"Issue {n}").number for n in range(3)]

    assert numbers == ["CS0001001", "CS0001002", "CS0001003"]


def test_a_case_opened_from_a_conversation_knows_the_customer_their_contact_and_the_conversation():
    interaction = InteractionFactory(channel_user__external_id="4915112345678")
    daniel = ContactFactory(first_name="Daniel", phone="4915112345678")
    alice = agent()

    case = open_case(short_description="Broken armrest", interaction=interaction, opened_by=alice)

    assert (case.channel_user, case.contact, case.account) == (interaction.channel_user, daniel, daniel.account)
    assert [link.interaction for link in case.interaction_links.all()] == [interaction]
    opening = case.history.get()
    assert (opening.from_state, opening.to_state, opening.changed_by) == ("", CaseState.NEW, alice)


def test_the_photo_a_customer_sent_is_attached_by_reference_not_copied():
    interaction = InteractionFactory()
    photo = customer_file(interaction)

    case = open_case(short_description="Scratched desk", interaction=interaction, attachments=[photo])

    assert [attachment.message_attachment for attachment in case.attachments.all()] == [photo]


def test_another_customers_file_cannot_be_attached_and_nothing_is_written():
    someone_else = customer_file(InteractionFactory())
    customer = ChannelUserFactory()

    with pytest.raises(InputRefused, match="Only files this customer sent"):
        open_case(short_description="Scratched desk", channel_user=customer, attachments=[someone_else])

    assert customer.cases.count() == 0


def test_a_long_short_description_is_cut_and_kept_whole_in_the_description():
    long_text = "The chair " + "wobbles " * 40

    case = open_case(short_description=long_text, channel_user=ChannelUserFactory())

    assert len(case.short_description) == 160 and case.short_description.endswith("…")
    assert case.description == long_text.strip()


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_a_case_without_a_description_is_refused(text):
    with pytest.raises(InputRefused, match="Say in a few words"):
        open_case(short_description=text, channel_user=ChannelUserFactory())


def test_a_state_change_is_recorded_with_who_made_it():
    case = open_case(short_description="Broken armrest", channel_user=ChannelUserFactory())
    bob = agent()

    change_case_state(case, state=CaseState.OPEN, by=bob)
    change_case_state(case, state=CaseState.RESOLVED, by=None)

    steps = [(change.from_state, change.to_state, change.changed_by) for change in case.history.all()]
    assert steps == [("", "new", None), ("new", "open", bob), ("open", "resolved", None)]


def test_a_contacts_cases_include_those_opened_under_another_of_their_numbers():
    daniel = ContactFactory(phone="4915112345678")
    on_whatsapp = ChannelUserFactory(external_id="4915112345678")
    by_phone_call = open_case(short_description="Invoice question", contact=daniel)
    on_chat = open_case(short_description="Broken armrest", channel_user=on_whatsapp)
    done = open_case(short_description="Old one", channel_user=on_whatsapp)
    change_case_state(done, state=CaseState.CLOSED)

    assert open_cases_for(on_whatsapp) == [on_chat, by_phone_call]
    assert cases_for(on_whatsapp) == [done, on_chat, by_phone_call]


def test_a_customer_comment_with_a_photo_lands_on_the_case():
    interaction = InteractionFactory()
    case = open_case(short_description="Broken armrest", interaction=interaction)
    photo = customer_file(interaction)

    comment = add_case_comment(case, text="Here is a photo", attachments=[photo])

    assert comment.author is None
    assert [attachment.comment for attachment in case.attachments.all()] == [comment]


def test_a_closed_case_takes_no_comment():
    case = open_case(short_description="Broken armrest", channel_user=ChannelUserFactory())
    change_case_state(case, state=CaseState.CLOSED)

    with pytest.raises(StateRefused, match="is closed; open a new case"):
        add_case_comment(case, text="One more thing")


def test_only_a_case_of_the_conversations_customer_can_be_linked_to_it():
    interaction = InteractionFactory()
    theirs = open_case(short_description="Broken armrest", channel_user=interaction.channel_user)
    not_theirs = open_case(short_description="Other", channel_user=ChannelUserFactory())

    link_case_to_interaction(theirs, interaction=interaction)
    link_case_to_interaction(theirs, interaction=interaction)  # twice is once
    with pytest.raises(InputRefused, match="another customer's"):
        link_case_to_interaction(not_theirs, interaction=interaction)

    assert theirs.interaction_links.count() == 1 and not_theirs.interaction_links.count() == 0


def test_a_case_for_one_customer_from_another_customers_conversation_is_refused():
    with pytest.raises(InputRefused, match="another customer's"):
        open_case(short_description="Mixed up", channel_user=ChannelUserFactory(), interaction=InteractionFactory())

    assert not Case.objects.exists()
