"""factory-boy factories with traits for the states that matter."""

from datetime import timedelta

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from interactions.models import (
    ChannelUser,
    Direction,
    Interaction,
    InteractionState,
    Message,
    MessageKind,
    MessageStatus,
)
from interactions.roles import AGENT, MANAGER
from interactions.services.timeline import append_message, lock_interaction


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    password = factory.PostGenerationMethodCall("set_password", "password")

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        if extracted:
            user.groups.add(Group.objects.get_or_create(name=extracted)[0])
        user.save()


def agent(**kwargs):
    return UserFactory(role=AGENT, **kwargs)


def manager(**kwargs):
    return UserFactory(role=MANAGER, is_staff=True, **kwargs)


def agent_holding(*interactions: Interaction, **kwargs):
    """An agent the interactions are assigned to, as routing assigns them: only then may an agent see them."""
    person = agent(**kwargs)
    Interaction.objects.filter(pk__in=[interaction.pk for interaction in interactions]).update(assigned_to=person)
    for interaction in interactions:
        interaction.assigned_to = person
    return person


class ChannelUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelUser

    channel = "whatsapp"
    account_id = factory.LazyFunction(lambda: settings.WHATSAPP_PHONE_NUMBER_ID)
    external_id = factory.Sequence(lambda n: f"1555{n:07d}")
    display_name = factory.Faker("name")
    last_inbound_at = factory.LazyFunction(timezone.now)

    class Params:
        window_closed = factory.Trait(
            last_inbound_at=factory.LazyFunction(lambda: timezone.now() - timedelta(hours=25))
        )


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    channel_user = factory.SubFactory(ChannelUserFactory)
    subtype = "whatsapp"
    state = InteractionState.NEW
    opened_at = factory.LazyFunction(timezone.now)
    number = factory.Sequence(lambda n: f"IMS{n + 5000:07d}")


class MessageFactory(factory.django.DjangoModelFactory):
    """A message at the end of its interaction's timeline, appended as the desk appends one (`append_message`: the
    next sequence and revision, the interaction's unread count and preview moved); the customer's by default."""

    class Meta:
        model = Message

    interaction = factory.SubFactory(InteractionFactory)
    direction = Direction.INBOUND
    kind = MessageKind.TEXT
    status = MessageStatus.RECEIVED
    text = factory.Faker("sentence")
    sent_at = factory.LazyFunction(timezone.now)
    external_id = factory.Sequence(lambda n: f"wamid.factory{n}")

    class Params:
        # Give `author` too: the agent who wrote it.
        outbound = factory.Trait(direction=Direction.OUTBOUND, status=MessageStatus.QUEUED, external_id=None)
        failed = factory.Trait(
            direction=Direction.OUTBOUND, status=MessageStatus.FAILED, external_id=None, error_code="130429"
        )

    @classmethod
    def _create(cls, model_class, *, interaction: Interaction, **fields) -> Message:
        with transaction.atomic():
            locked = lock_interaction(interaction.pk)
            message = append_message(interaction=locked, **fields)
        for name in ("last_sequence", "revision", "unread_count", "last_message_at", "last_message_preview"):
            setattr(interaction, name, getattr(locked, name))  # the caller's copy stays current
        return message
