"""Who a channel user is: the contact an agent linked them to, else the contact whose phone is their number."""

from dataclasses import dataclass
from typing import Literal

import phonenumbers
from django.db import transaction

from customer_service.errors import InputRefused
from customer_service.models import Contact, ContactLink, ContactPhone


def normalized_phone_number(raw: str) -> str:
    """E.164 digits without "+", as WhatsApp's wa_id spells a number; raises InputRefused for a non-number."""
    text = (raw or "").strip()
    if not text.startswith("+"):
        text = f"+{text.removeprefix('00')}"
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        raise InputRefused(f"{raw!r} is not a phone number; write it with its country code, e.g. +49 151 12345678.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164).removeprefix("+")


@dataclass(frozen=True, slots=True)
class Recognition:
    contact: Contact | None
    by: Literal["agent", "phone"] | None  # an agent's link (or unlink), the phone number, or nothing known


def recognition_of(channel_user) -> Recognition:
    """An agent's link (or unlink) wins over the phone match, so a shared or recycled number can be corrected."""
    if channel_user is None:
        return Recognition(None, None)
    link = ContactLink.objects.filter(channel_user=channel_user).select_related("contact__account").first()
    if link is not None:
        return Recognition(link.contact, "agent")
    phone = ContactPhone.objects.filter(number=channel_user.external_id).select_related("contact__account").first()
    return Recognition(phone.contact, "phone") if phone is not None else Recognition(None, None)


def contact_for(channel_user) -> Contact | None:
    return recognition_of(channel_user).contact


@transaction.atomic
def link_contact(*, channel_user, contact: Contact, by) -> ContactLink:
    link, _ = ContactLink.objects.update_or_create(
        channel_user=channel_user, defaults={"contact": contact, "linked_by": by}
    )
    return link


@transaction.atomic
def unlink_contact(*, channel_user, by) -> None:
    """Records "nobody", so the phone match does not bring the contact back."""
    ContactLink.objects.update_or_create(channel_user=channel_user, defaults={"contact": None, "linked_by": by})
