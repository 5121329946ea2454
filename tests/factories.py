"""factory-boy factories with traits for the states that matter."""

from datetime import timedelta

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from interactions.models import ChannelUser, Interaction, InteractionState
from interactions.roles import AGENT, MANAGER


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
