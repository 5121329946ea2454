"""Lists and timelines render each row with `RowSerializer`'s plan, which must answer exactly what DRF's own
field-by-field rendering answers, for every shape a row can take."""

from unittest import mock

import pytest
from rest_framework import serializers

from interactions.models import Interaction, InteractionState
from interactions.selectors import interactions_visible_to, with_newest_timeline_page, with_reply_facts
from interactions.serializers import InteractionDetailSerializer, InteractionSerializer, RowSerializer
from interactions.tests.timelines import conversation
from tests.consent_factories import opted_in, opted_out
from tests.factories import agent, manager

pytestmark = pytest.mark.django_db


def drf_rendering(serializer: serializers.BaseSerializer) -> object:
    with mock.patch.object(RowSerializer, "to_representation", serializers.Serializer.to_representation):
        return serializer.data


def test_interactions_and_their_messages_render_as_drf_renders_them():
    reader = manager()  # sees every conversation, assigned (to an agent) or not
    shown = conversation(30)
    Interaction.objects.filter(pk=shown.pk).update(assigned_to=agent())
    closed = conversation(3)
    Interaction.objects.filter(pk=closed.pk).update(state=InteractionState.CLOSED_COMPLETE, closed_at=closed.opened_at)
    opted_in(conversation(2).channel_user)
    opted_out(conversation(2).channel_user)
    rows = list(with_reply_facts(interactions_visible_to(reader)))
    detail = with_newest_timeline_page(with_reply_facts(interactions_visible_to(reader)).get(pk=shown.pk))

    listed = InteractionSerializer(rows, many=True)
    shown_in_full = InteractionDetailSerializer(detail)

    assert listed.data == drf_rendering(InteractionSerializer(rows, many=True))
    assert shown_in_full.data == drf_rendering(InteractionDetailSerializer(detail))
    assert len(listed.data) == 4 and {row["assigned_to"] is None for row in listed.data} == {True, False}
    assert {row["closed_at"] is None for row in listed.data} == {True, False}
    messages = shown_in_full.data["messages"]
    assert len(messages) == 50  # a page of every shape: quotes, reactions from both sides, files, link previews
    assert all(
        any(message[key] for message in messages) for key in ("quoted", "reactions", "attachment", "link_preview")
    )
    assert all(message["created_at"].endswith("Z") for message in messages)
    assert any(row["reply"]["opted_out_at"] for row in listed.data)
