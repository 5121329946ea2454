"""What the composer's `/` menu offers an agent in one conversation, and the values its placeholders take there."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.db.models import Q, QuerySet, Value, When

from canned_responses.models import CannedResponse
from canned_responses.placeholders import FilledText, fill_placeholders
from customer_service.models import Case, CaseInteraction
from customer_service.services.cases import open_cases_for
from customer_service.services.contacts import contact_for
from interactions.models import Interaction
from interactions.people import name_for_customers

MENU_SIZE = 50


def canned_responses_of(agent: AbstractBaseUser) -> QuerySet[CannedResponse]:
    """The shared ones and the agent's own: never a colleague's personal snippets."""
    return CannedResponse.objects.filter(Q(owner__isnull=True) | Q(owner=agent))


def canned_responses_for(*, agent: AbstractBaseUser, language: str, query: str = "") -> list[CannedResponse]:
    """Those for a customer of `language` (and those for any language), best first (ranked in SQL, before the
    menu is cut): a shortcut that starts with what was typed, then the customer's language, then the agent's own
    before the shared ones."""
    candidates = canned_responses_of(agent)
    if language:
        candidates = candidates.filter(language__in=["", language])
    query = query.strip().lstrip("/").lower()
    if query:
        candidates = candidates.filter(
            Q(shortcut__icontains=query) | Q(title__icontains=query) | Q(body__icontains=query)
        )
    ranking = {
        "prefix_rank": models.Case(When(shortcut__istartswith=query, then=0), default=1) if query else Value(0),
        "language_rank": models.Case(When(language=language, then=0), default=1) if language else Value(0),
        "shared_rank": models.Case(When(owner__isnull=True, then=1), default=0),
    }
    ranked = candidates.annotate(**ranking).order_by(*ranking, "shortcut", "pk")
    return list(ranked[:MENU_SIZE])


def case_in_question(interaction: Interaction) -> Case | None:
    """The case a conversation is about: the latest one linked to it, else the customer's latest open case."""
    link = (
        CaseInteraction.objects.filter(interaction=interaction)
        .select_related("case")
        .order_by("-linked_at", "-pk")
        .first()
    )
    if link is not None:
        return link.case
    open_cases = open_cases_for(interaction.channel_user)
    return open_cases[0] if open_cases else None


def placeholder_values(*, interaction: Interaction, agent: AbstractBaseUser) -> dict[str, str]:
    contact = contact_for(interaction.channel_user)
    case = case_in_question(interaction)
    values = {
        "customer_name": (contact.first_name if contact is not None else "") or interaction.channel_user.display_name,
        "agent_name": name_for_customers(agent, otherwise=""),
    }
    if case is not None:
        values |= {
            "case_number": case.number,
            "case_title": case.short_description,
            "case_state": case.get_state_display().lower(),
        }
    return values


def filled_for(text: str, *, interaction: Interaction, agent: AbstractBaseUser) -> FilledText:
    return fill_placeholders(text, placeholder_values(interaction=interaction, agent=agent))
