"""Seeds the demo: Northwind Office's knowledge base, community answers, service catalog, case categories, and
the accounts and contacts of the demo's customers (config/demo.py's DEMO_CUSTOMERS), so they are recognised.
Idempotent: run it as often as you like; it updates what it seeded and leaves the rest alone."""

from django.db import transaction
from django.utils.text import slugify

from customer_service.demo_articles import ARTICLES, COMMUNITY
from customer_service.models import (
    Account,
    CaseCategory,
    CatalogCategory,
    CatalogItem,
    CatalogQuestion,
    CommunityAnswer,
    CommunityQuestion,
    Contact,
    ContactPhone,
    KnowledgeArticle,
    KnowledgeCategory,
    QuestionKind,
)
from customer_service.models.knowledge import ArticleStatus

# account, contacts: (first name, last name, job title, email, phone as E.164 digits)
ACCOUNTS = [
    (
        "Weber Architekten GmbH",
        [
            ("Daniel", "Weber", "Managing partner", "daniel.weber@weber-architekten.example", "4915112345678"),
            ("Lena", "Vogt", "Office manager", "lena.vogt@weber-architekten.example", "4915198765432"),
        ],
    ),
    (
        "Raman Consulting Ltd",
        [("Priya", "Raman", "Director", "priya@ramanconsulting.example", "447700900123")],
    ),
]

CASE_CATEGORIES = ["Damaged delivery", "Defect and warranty", "Delivery", "Invoice and payment", "Other"]

# category, items: (name, description, questions: (label, kind, options))
CATALOG = [
    (
        "Spare parts",
        "Parts for furniture you bought from us",
        [
            (
                "Replacement part",
                "A part for a chair or desk, free within the warranty",
                [
                    (
                        "Which part do you need?",
                        QuestionKind.CHOICE,
                        {"choices": ["Armrest", "Castors (set of 5)", "Gas lift", "Backrest", "Desk motor"]},
                    ),
                    ("How many?", QuestionKind.NUMBER, {"min_value": 1, "max_value": 10}),
                    ("Your order number (on the invoice)", QuestionKind.TEXT, {"max_length": 20}),
                ],
            ),
            (
                "Missing screws or hardware",
                "The hardware bag was incomplete",
                [
                    ("Which product?", QuestionKind.TEXT, {"max_length": 80}),
                    ("Which part numbers are missing (from the parts list)?", QuestionKind.TEXT, {"max_length": 200}),
                ],
            ),
        ],
    ),
    (
        "Services",
        "Assembly, pickup and planning",
        [
            (
                "Assembly appointment",
                "A fitter assembles your furniture, from €39 per item",
                [
                    ("How many items should we assemble?", QuestionKind.NUMBER, {"min_value": 1, "max_value": 50}),
                    ("Which day suits you?", QuestionKind.DATE, {"min_days_ahead": 2, "max_days_ahead": 90}),
                    ("Is there a lift in the building?", QuestionKind.YES_NO, {}),
                    ("Anything the fitter should know?", QuestionKind.TEXT, {"required": False, "max_length": 300}),
                ],
            ),
            (
                "Old furniture pickup",
                "We take old furniture away, €25 per item",
                [
                    (
                        "What should we take away?",
                        QuestionKind.CHOICE,
                        {"choices": ["Office chair", "Desk", "Cabinet", "Several items"]},
                    ),
                    ("How many items?", QuestionKind.NUMBER, {"min_value": 1, "max_value": 30}),
                    ("Pickup date", QuestionKind.DATE, {"min_days_ahead": 3, "max_days_ahead": 60}),
                ],
            ),
        ],
    ),
    (
        "Business",
        "For companies",
        [
            (
                "Request a quote",
                "Volume prices from 10 items",
                [
                    ("How many workplaces?", QuestionKind.NUMBER, {"min_value": 10, "max_value": 5000}),
                    (
                        "What do you need?",
                        QuestionKind.CHOICE,
                        {"choices": ["Chairs", "Desks", "Chairs and desks", "Complete office"]},
                    ),
                    ("By when?", QuestionKind.DATE, {"min_days_ahead": 7, "max_days_ahead": 365}),
                    ("Are you interested in leasing?", QuestionKind.YES_NO, {}),
                ],
            ),
            (
                "Corrected invoice",
                "An invoice with your company's VAT number or address",
                [
                    ("Order number", QuestionKind.TEXT, {"max_length": 20}),
                    ("VAT number", QuestionKind.TEXT, {"max_length": 20}),
                ],
            ),
        ],
    ),
]


@transaction.atomic
def seed_customer_service_demo() -> None:
    categories = {}
    for title, category, keywords, body in ARTICLES:
        if category not in categories:
            categories[category] = KnowledgeCategory.objects.get_or_create(name=category)[0]
        KnowledgeArticle.objects.update_or_create(
            slug=slugify(title),
            defaults={
                "title": title,
                "category": categories[category],
                "keywords": keywords,
                "body": body,
                "status": ArticleStatus.PUBLISHED,
            },
        )
    for votes, (title, category, body, answer) in enumerate(reversed(COMMUNITY), start=3):
        question, _ = CommunityQuestion.objects.update_or_create(
            title=title,
            defaults={
                "category": KnowledgeCategory.objects.get_or_create(name=category)[0],
                "body": body,
                "asked_by": "Community member",
                "votes": votes,
            },
        )
        CommunityAnswer.objects.update_or_create(
            question=question, is_accepted=True, defaults={"body": answer, "answered_by": "Northwind regular"}
        )
    for position, (name, description, items) in enumerate(CATALOG):
        category, _ = CatalogCategory.objects.update_or_create(
            name=name, defaults={"description": description, "position": position}
        )
        for item_position, (item_name, item_description, questions) in enumerate(items):
            item, _ = CatalogItem.objects.update_or_create(
                category=category,
                name=item_name,
                defaults={"description": item_description, "position": item_position},
            )
            for question_position, (label, kind, options) in enumerate(questions, start=1):
                CatalogQuestion.objects.update_or_create(
                    item=item, position=question_position, defaults={"label": label, "kind": kind, **options}
                )
    for name in CASE_CATEGORIES:
        CaseCategory.objects.get_or_create(name=name)
    for account_name, contacts in ACCOUNTS:
        account, _ = Account.objects.get_or_create(name=account_name)
        for first_name, last_name, job_title, email, phone in contacts:
            contact, _ = Contact.objects.update_or_create(
                account=account,
                first_name=first_name,
                last_name=last_name,
                defaults={"job_title": job_title, "email": email},
            )
            ContactPhone.objects.update_or_create(number=phone, defaults={"contact": contact, "label": "mobile"})
