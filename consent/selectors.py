"""Reads of consent: the current state per scope is the latest record; the history is all of them."""

from collections.abc import Iterable

from django.db.models import OuterRef, QuerySet, Subquery

from consent.models import ConsentKeyword, ConsentRecord, ConsentScope, KeywordLanguage
from consent.policies import ConsentState, KeywordRule


def consent_records_of(*, channel_user_id, scope: str = ConsentScope.ALL) -> QuerySet[ConsentRecord]:
    """A customer's records of one scope, latest first: the first is the current state. `channel_user_id` may be
    an `OuterRef`, to read the current state as a subquery of another model's list."""
    return ConsentRecord.objects.filter(channel_user_id=channel_user_id, scope=scope)


def consent_state(*, channel_user_id: int, scope: str = ConsentScope.ALL) -> ConsentState:
    return _state_of(consent_records_of(channel_user_id=channel_user_id, scope=scope).first())


def consent_states(*, channel_user_ids: Iterable[int], scope: str = ConsentScope.ALL) -> dict[int, ConsentState]:
    """The current state of many customers in one query, for lists (a customer with no record is absent)."""
    latest = consent_records_of(channel_user_id=OuterRef("channel_user_id"), scope=scope).values("pk")[:1]
    records = ConsentRecord.objects.filter(channel_user_id__in=list(channel_user_ids), scope=scope, pk=Subquery(latest))
    return {record.channel_user_id: _state_of(record) for record in records}


def _state_of(latest: ConsentRecord | None) -> ConsentState:
    if latest is None:
        return ConsentState()
    return ConsentState(status=latest.status, at=latest.recorded_at, method=latest.method)


def consent_history(*, channel_user_id: int) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.filter(channel_user_id=channel_user_id).select_related("recorded_by")


def consent_export_rows() -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.select_related("channel_user", "recorded_by").order_by(
        "channel_user_id", "recorded_at"
    )


def keyword_rules() -> list[KeywordRule]:
    """Read for every text a customer sends: plain values, no model instances."""
    rows = ConsentKeyword.objects.values_list("word", "action", "language__code")
    return [KeywordRule(word=word, action=action, language=language) for word, action, language in rows]


def keyword_language(code: str) -> KeywordLanguage | None:
    return KeywordLanguage.objects.filter(code=code).first() or KeywordLanguage.objects.filter(code="en").first()
