"""What customer service removes on a customer's erasure: the words that are theirs. Registered at start-up.

A case stays (number, state, priority, category, history, links to conversations), as the desk accounts for its
work by cases; what the customer wrote in it goes: their own comments, and the description of a case they opened
themselves (through the virtual agent). Agents' comments and work notes are the desk's record and stay; so do
contacts, which are the business's address book, kept and edited in the admin.
"""

from django.db.models import Q

from customer_service.models import Case, CaseComment, CatalogRequestAnswer
from retention.registry import ErasureRequest, ErasureStep

REMOVED_TEXT = "[Removed at the customer's erasure request]"


def erase_customer_case_text(request: ErasureRequest) -> dict[str, int]:
    cases = Case.objects.filter(channel_user_id=request.channel_user_id)
    comments = (
        CaseComment.objects.filter(case__in=cases, author__isnull=True, internal=False)
        .exclude(text=REMOVED_TEXT)
        .update(text=REMOVED_TEXT)
    )
    opened_by_them = (
        cases.filter(opened_by__isnull=True)
        .filter(~Q(short_description=REMOVED_TEXT) | ~Q(description=""))
        .update(short_description=REMOVED_TEXT, description="")
    )
    answers = (
        CatalogRequestAnswer.objects.filter(request__channel_user_id=request.channel_user_id)
        .exclude(value="")
        .update(value="")
    )
    return {"case_comments": comments, "case_descriptions": opened_by_them, "catalog_answers": answers}


ERASURE_STEP = ErasureStep(
    name="customer_service",
    removes=(
        "the text of every case comment they wrote",
        "the short description and description of every case they opened themselves",
        "their answers in catalog requests",
    ),
    keeps=(
        "each case and catalog request: number, state, priority, category, history, linked conversations",
        "agents' comments and work notes (the desk's own record of its work)",
        "business contacts in the address book (edit or delete them in the admin)",
    ),
    erase=erase_customer_case_text,
)
