"""Hints (cache keys, typing indicators, live pushes) never turn an agent's success into an error.

Redis here is real and unreachable: the cache and the live push point at a port nobody listens on.
"""

import logging
import socket

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from interactions.models import Direction, Message, MessageStatus
from interactions.services.receipts import start_agent_typing
from tests.factories import InteractionFactory, agent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis_down():
    """Cache and live layer on a closed port: every call to them fails with a connection error."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": closed}},
        LIVE_UPDATES={**settings.LIVE_UPDATES, "redis_url": closed},
    ):
        yield


def test_a_reply_sent_while_redis_is_down_is_answered_201_and_stored_once(client, redis_down, caplog):
    person = agent()
    interaction = InteractionFactory(assigned_to=person)
    client.force_login(person)

    with caplog.at_level(logging.WARNING, logger="interactions.hints"):
        response = client.post(
            reverse("interaction-messages", args=[interaction.pk]), {"text": "It ships today."}, "application/json"
        )

    assert response.status_code == 201, response.content
    stored = Message.objects.get(interaction=interaction, direction=Direction.OUTBOUND)
    assert (stored.text, stored.status, response.json()["id"]) == ("It ships today.", MessageStatus.QUEUED, stored.pk)
    skipped = [record.getMessage() for record in caplog.records]
    assert any(line.startswith("clearing the typing indicator") for line in skipped), skipped
    assert any(line.startswith("live push of message.changed") for line in skipped), skipped


def test_typing_while_redis_is_down_is_still_accepted(redis_down, caplog):
    person = agent()
    interaction = InteractionFactory(assigned_to=person)

    with caplog.at_level(logging.WARNING, logger="interactions.hints"):
        assert start_agent_typing(agent=person, interaction_id=interaction.pk) is True

    assert any(record.getMessage().startswith("typing indicator for") for record in caplog.records)
