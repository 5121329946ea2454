"""Factories for customer service data, and a photo a customer sent, as the inbound path stores it."""

import factory
from django.utils import timezone

from customer_service.models import (
    Account,
    CatalogCategory,
    CatalogItem,
    CatalogQuestion,
    Contact,
    ContactPhone,
    QuestionKind,
)
from interactions.models import AttachmentState, Direction, MessageAttachment, MessageKind, MessageStatus


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n} GmbH")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact
        skip_postgeneration_save = True

    account = factory.SubFactory(AccountFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")

    @factory.post_generation
    def phone(contact, create, extracted, **kwargs):
        """`ContactFactory(phone="4915112345678")`: the contact with that number."""
        if extracted:
            ContactPhone.objects.create(contact=contact, number=extracted, label="mobile")


class CatalogItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogItem

    category = factory.SubFactory("customer_service.tests.factories.CatalogCategoryFactory")
    name = factory.Sequence(lambda n: f"Item {n}")


class CatalogCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogCategory

    name = factory.Sequence(lambda n: f"Category {n}")


def question(item: CatalogItem, kind: str = QuestionKind.TEXT, **fields) -> CatalogQuestion:
    position = item.questions.count() + 1
    return CatalogQuestion.objects.create(
        item=item, position=position, kind=kind, label=fields.pop("label", f"Question {position}?"), **fields
    )


def customer_file(interaction, *, kind: str = MessageKind.IMAGE, mime_type: str = "image/jpeg") -> MessageAttachment:
    """A file the customer sent in the conversation, downloaded and stored."""
    sequence = interaction.last_sequence + 1
    message = interaction.messages.create(
        sequence=sequence,
        revision=sequence,
        direction=Direction.INBOUND,
        status=MessageStatus.RECEIVED,
        kind=kind,
        text="The broken part",
        sent_at=timezone.now(),
        external_id=f"wamid.file.{interaction.pk}.{sequence}",
    )
    interaction.last_sequence = sequence
    interaction.save(update_fields=["last_sequence"])
    return MessageAttachment.objects.create(
        message=message, state=AttachmentState.STORED, file=f"messageattachment/{message.pk}.jpg", mime_type=mime_type
    )
