"""Statuses recorded before they were kept per account get the account of the message their channel id names."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("interactions", "0010_inbound_listener_runs")]
AFTER = [("interactions", "0011_status_events_per_account")]


def migrated_to(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps():
    apps = migrated_to(BEFORE)
    yield apps
    migrated_to(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_a_recorded_status_gets_the_account_of_its_message_and_one_naming_none_gets_none(old_apps):
    ChannelUser = old_apps.get_model("interactions", "ChannelUser")
    Interaction = old_apps.get_model("interactions", "Interaction")
    Message = old_apps.get_model("interactions", "Message")
    DeliveryStatusEvent = old_apps.get_model("interactions", "DeliveryStatusEvent")
    customer = ChannelUser.objects.create(channel="whatsapp", account_id="209876543210987", external_id="16505551234")
    now = timezone.now()
    interaction = Interaction.objects.create(channel_user=customer, subtype="whatsapp", opened_at=now)
    Message.objects.create(
        interaction=interaction,
        sequence=1,
        revision=1,
        direction="outbound",
        status="sent",
        sent_at=now,
        external_id="wamid.KNOWN",
    )
    DeliveryStatusEvent.objects.create(external_id="wamid.KNOWN", status="read", occurred_at=now)
    DeliveryStatusEvent.objects.create(external_id="wamid.UNKNOWN", status="read", occurred_at=now)

    new_apps = migrated_to(AFTER)

    recorded = new_apps.get_model("interactions", "DeliveryStatusEvent").objects
    assert {(e.external_id, e.channel, e.account_id) for e in recorded.all()} == {
        ("wamid.KNOWN", "whatsapp", "209876543210987"),
        ("wamid.UNKNOWN", "", ""),
    }
