"""The business writing first: agents start conversations, workflows notify; the policy decides, refusals say why."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consent.models import ConsentErasure, ConsentRecord
from interactions.models import InteractionState, Notification
from interactions.services.conversations import AlreadyInConversation, send_template_reply, start_conversation
from interactions.services.outbound import ActionRefused, IdempotencyKeyReused
from interactions.services.system_messages import SystemMessageContent, send_system_message
from interactions.services.templates import TemplateValues
from retention.services import erase_customer
from tests.consent_factories import opted_in, opted_out, template
from tests.factories import ChannelUserFactory, InteractionFactory, UserFactory, agent

pytestmark = pytest.mark.django_db

VALID_NUMBER = "4915112345678"


def test_an_agent_starts_a_conversation_with_an_opted_in_customer_and_owns_it():
    customer = ChannelUserFactory(external_id=VALID_NUMBER)
    opted_in(customer)
    person = agent()

    message = start_conversation(agent=person, channel_user=customer, text="Your replacement chair is ready.")

    interaction = message.interaction
    assert (interaction.state, interaction.assigned_to) == (InteractionState.WORK_IN_PROGRESS, person)
    assert (message.author, message.status, message.text) == (person, "queued", "Your replacement chair is ready.")


def test_an_opted_out_customer_cannot_be_contacted_by_an_agent():
    customer = ChannelUserFactory(external_id=VALID_NUMBER)
    opted_out(customer)

    with pytest.raises(ActionRefused) as refused:
        start_conversation(agent=agent(), channel_user=customer, text="Hello!")

    assert refused.value.reason.startswith(f"Customer opted out on {timezone.now():%Y-%m-%d}")


def test_a_customer_with_an_open_conversation_is_sent_there():
    interaction = InteractionFactory(channel_user__external_id=VALID_NUMBER)
    opted_in(interaction.channel_user)

    with pytest.raises(AlreadyInConversation) as refused:
        start_conversation(agent=agent(), channel_user=interaction.channel_user, text="Hello!")

    assert refused.value.interaction == interaction


def test_outside_the_window_a_template_opens_the_conversation_with_its_values_filled_in():
    customer = ChannelUserFactory(external_id=VALID_NUMBER, window_closed=True)
    opted_in(customer)
    order_update = template(customer)

    with pytest.raises(ActionRefused) as refused:
        start_conversation(agent=agent(), channel_user=customer, text="Hello!")
    message = start_conversation(
        agent=agent(),
        channel_user=customer,
        template_id=order_update.pk,
        values=TemplateValues(header=("8841",), body=("Ana", "8841", "Friday"), buttons={0: ("8841",)}),
    )

    assert "only a template may be sent" in refused.value.reason
    assert (message.kind, message.text) == (
        "template",
        "Hi Ana, your order 8841 has shipped and should arrive by Friday.",
    )
    assert message.content["header"] == "Order 8841"
    assert message.content["buttons"][0]["url"] == "https://shop.example.com/track/8841"


def test_a_template_with_a_missing_value_is_refused_before_anything_is_sent():
    interaction = InteractionFactory(channel_user__external_id=VALID_NUMBER, channel_user__window_closed=True)
    opted_in(interaction.channel_user)

    with pytest.raises(ActionRefused) as refused:
        send_template_reply(
            interaction=interaction,
            author=agent(),
            template_id=template(interaction.channel_user).pk,
            values=TemplateValues(header=("8841",), body=("Ana", "8841"), buttons={0: ("8841",)}),
        )

    assert refused.value.reason == "The body needs 3 value(s); 2 were given."
    assert not interaction.messages.exists()


def test_a_paused_template_is_not_sent():
    interaction = InteractionFactory(channel_user__external_id=VALID_NUMBER)
    opted_in(interaction.channel_user)
    paused = template(interaction.channel_user, status="paused")

    with pytest.raises(ActionRefused) as refused:
        send_template_reply(interaction=interaction, author=agent(), template_id=paused.pk, values=TemplateValues())

    assert "is paused as of the last sync" in refused.value.reason


def test_a_system_message_is_sent_once_per_idempotency_key():
    customer = ChannelUserFactory(external_id=VALID_NUMBER)
    opted_in(customer)
    content = SystemMessageContent(text="Your case CS0001001 is now resolved.")

    first = send_system_message(channel_user=customer, content=content, reason="case resolved", idempotency_key="k1")
    again = send_system_message(channel_user=customer, content=content, reason="case resolved", idempotency_key="k1")

    assert first.notification == again.notification and first.notification.outcome == "sent"
    assert (first.replayed, again.replayed) == (False, True)
    assert customer.interactions.get().messages.count() == 1
    with pytest.raises(IdempotencyKeyReused):
        send_system_message(
            channel_user=customer,
            content=SystemMessageContent(text="Other"),
            reason="case resolved",
            idempotency_key="k1",
        )


def test_a_refused_system_message_is_kept_with_its_reason():
    customer = ChannelUserFactory(external_id=VALID_NUMBER, window_closed=True)
    opted_in(customer)

    notification = send_system_message(
        channel_user=customer, content=SystemMessageContent(text="Hi"), reason="case resolved", idempotency_key="k2"
    ).notification

    assert notification.outcome == "refused"
    assert "only a template may be sent" in notification.refusal_reason
    assert "No template was given to send instead." in notification.refusal_reason
    assert Notification.objects.get() == notification and not customer.interactions.exists()


def test_outside_the_window_a_system_message_falls_back_to_its_template():
    customer = ChannelUserFactory(external_id=VALID_NUMBER, last_inbound_at=timezone.now() - timedelta(days=3))
    opted_in(customer)
    template(customer, name="case_update", header="", footer="", buttons=[], body="Hello {{1}}, case {{2}} is {{3}}.")

    notification = send_system_message(
        channel_user=customer,
        content=SystemMessageContent(
            text="Your case is resolved.",
            template_name="case_update",
            template_values=TemplateValues(body=("Ana", "CS0001001", "resolved")),
        ),
        reason="case resolved",
        idempotency_key="k3",
    ).notification

    assert notification.outcome == "sent"
    assert notification.message.text == "Hello Ana, case CS0001001 is resolved."


def test_erasing_the_history_leaves_an_audit_entry():
    customer = ChannelUserFactory()
    opted_in(customer)
    opted_out(customer)
    admin_user = UserFactory(is_superuser=True)

    erasure = erase_customer(channel_user=customer, erased_by=admin_user, reason="GDPR request 2026-031")

    assert not ConsentRecord.objects.exists()
    assert erasure.removed["consent_records"] == 2
    record = ConsentErasure.objects.get()
    assert (record.records_erased, record.erased_by, record.reason) == (2, admin_user, "GDPR request 2026-031")


def test_a_template_sent_in_a_new_interaction_claims_it_for_the_agent_and_clears_its_unread_count():
    interaction = InteractionFactory(
        channel_user__external_id=VALID_NUMBER, channel_user__window_closed=True, unread_count=2
    )
    opted_in(interaction.channel_user)
    person = agent()

    send_template_reply(
        interaction=interaction,
        author=person,
        template_id=template(interaction.channel_user).pk,
        values=TemplateValues(header=("8841",), body=("Ana", "8841", "Friday"), buttons={0: ("8841",)}),
    )

    interaction.refresh_from_db()
    assert (interaction.state, interaction.assigned_to, interaction.unread_count) == (
        InteractionState.WORK_IN_PROGRESS,
        person,
        0,
    )
