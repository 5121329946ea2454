"""The one shape of an offer, used by the offers API and by the `offer.changed` push alike."""

from collections.abc import Sequence

from django.db.models import OuterRef, Subquery
from rest_framework import serializers

from interactions.selectors import interactions_for_summary
from interactions.serializers import InteractionSerializer
from routing.models import Presence, WorkItem, WorkItemEvent, WorkItemEventKind


class OfferQueueSerializer(serializers.Serializer):
    key = serializers.SlugField()
    name = serializers.CharField()


class OfferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    interaction = InteractionSerializer(source="interaction_summary")
    queue = OfferQueueSerializer()
    summary = serializers.CharField(help_text="The first message, or the virtual agent's summary")
    transfer_note = serializers.CharField(help_text="The note of whoever transferred it here; empty if none")
    transferred_by = serializers.CharField(
        source="transferred_by_name", allow_null=True, help_text="Who transferred it here; null if nobody"
    )
    offered_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(source="offer_expires_at", help_text="Unanswered by then, it moves on")


def offers_data(items: Sequence[WorkItem]) -> list[dict]:
    """Offers as the API and the push show them: work items read with `queue` and `interaction__channel_user`;
    their interactions' summaries and who transferred them read once for all, not per offer."""
    if not items:
        return []
    summaries = {
        interaction.pk: interaction for interaction in interactions_for_summary([item.interaction for item in items])
    }
    transferred_by = _transferred_by([item.pk for item in items if item.transfer_note])
    serializer = OfferSerializer()
    offers = []
    for item in items:
        item.interaction_summary = summaries[item.interaction_id]
        item.transferred_by_name = transferred_by.get(item.pk)
        offers.append(serializer.to_representation(item))
    return offers


def _transferred_by(item_ids: list[int]) -> dict[int, str]:
    if not item_ids:
        return {}
    latest = WorkItemEvent.objects.filter(
        work_item=OuterRef("pk"), kind=WorkItemEventKind.TRANSFERRED, actor__isnull=False
    ).order_by("-at", "-pk")
    rows = (
        WorkItem.objects.filter(pk__in=item_ids)
        .annotate(
            first_name=Subquery(latest.values("actor__first_name")[:1]),
            last_name=Subquery(latest.values("actor__last_name")[:1]),
            username=Subquery(latest.values("actor__username")[:1]),
        )
        .values_list("pk", "first_name", "last_name", "username")
    )
    return {
        pk: f"{first_name or ''} {last_name or ''}".strip() or username
        for pk, first_name, last_name, username in rows
        if username
    }


class PresenceSerializer(serializers.Serializer):
    """A presence to set: the agent's own (the top bar) or one a supervisor sets for them."""

    presence = serializers.ChoiceField(choices=Presence.choices)
    away_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=128, help_text="Why, when away (shown to supervisors)"
    )

    def validate(self, data: dict) -> dict:
        if data.get("away_reason", "").strip() and data["presence"] != Presence.AWAY:
            raise serializers.ValidationError({"away_reason": ["Only away takes a reason."]})
        return data
