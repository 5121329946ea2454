"""What the workspace's side panel shows of a customer, read in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Prefetch, Q

from customer_service.models import Case, CaseInteraction, CatalogRequest, Contact
from customer_service.services.contacts import Recognition, recognition_of

PANEL_CASES = 10
PANEL_REQUESTS = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerProfile:
    channel_user: object
    recognition: Recognition
    cases: list[Case]
    catalog_requests: list[CatalogRequest]


def customer_profile(channel_user) -> CustomerProfile:
    recognition = recognition_of(channel_user)
    contact = recognition.contact
    theirs = Q(channel_user=channel_user) | Q(contact=contact) if contact is not None else Q(channel_user=channel_user)
    if contact is not None:
        contact = Contact.objects.select_related("account").prefetch_related("phones").get(pk=contact.pk)
        recognition = Recognition(contact, recognition.by)
    cases = list(
        Case.objects.filter(theirs)
        .select_related("category")
        .prefetch_related(Prefetch("interaction_links", CaseInteraction.objects.only("case_id", "interaction_id")))
        .order_by("-created_at", "-pk")[:PANEL_CASES]
    )
    requests = list(
        CatalogRequest.objects.filter(theirs)
        .select_related("item")
        .prefetch_related("answers")
        .order_by("-created_at", "-pk")[:PANEL_REQUESTS]
    )
    return CustomerProfile(channel_user=channel_user, recognition=recognition, cases=cases, catalog_requests=requests)


def contacts_matching(text: str, *, limit: int = 20) -> list[Contact]:
    """For an agent linking a customer: a number however written (+44 7700 900…), or words of a name, an
    email or an account, each of which must match."""
    matching = Contact.objects.select_related("account").prefetch_related("phones")
    digits = "".join(character for character in text if character.isdigit())
    if not any(character.isalpha() for character in text) and len(digits) >= 4:
        matching = matching.filter(phones__number__contains=digits)
    else:
        for word in text.split()[:4]:
            matching = matching.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
                | Q(account__name__icontains=word)
            )
    return list(matching.distinct()[:limit])
