"""Customer service data: who the customer is (accounts, contacts), what they asked for (cases, catalog
requests) and what answers them (knowledge articles, community answers)."""

from customer_service.models.cases import (
    Case,
    CaseAttachment,
    CaseCategory,
    CaseComment,
    CaseInteraction,
    CasePriority,
    CaseState,
    CaseStateChange,
)
from customer_service.models.catalog import (
    CatalogCategory,
    CatalogItem,
    CatalogQuestion,
    CatalogRequest,
    CatalogRequestAnswer,
    CatalogRequestState,
    QuestionKind,
)
from customer_service.models.contacts import Account, Contact, ContactLink, ContactPhone
from customer_service.models.knowledge import (
    CommunityAnswer,
    CommunityQuestion,
    KnowledgeArticle,
    KnowledgeCategory,
)
from customer_service.models.notifications import NotificationEvent, NotificationRule, NotificationText
from customer_service.models.numbering import NumberSequence

__all__ = [
    "Account",
    "Case",
    "CaseAttachment",
    "CaseCategory",
    "CaseComment",
    "CaseInteraction",
    "CasePriority",
    "CaseState",
    "CaseStateChange",
    "CatalogCategory",
    "CatalogItem",
    "CatalogQuestion",
    "CatalogRequest",
    "CatalogRequestAnswer",
    "CatalogRequestState",
    "CommunityAnswer",
    "CommunityQuestion",
    "Contact",
    "ContactLink",
    "ContactPhone",
    "KnowledgeArticle",
    "KnowledgeCategory",
    "NotificationEvent",
    "NotificationRule",
    "NotificationText",
    "NumberSequence",
    "QuestionKind",
]
