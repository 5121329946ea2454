"""Erasing one customer on request: everything listed goes for them, nothing of another customer, one audit entry
says who, when, which customer by id and how many; admins only."""

import json

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from audit.models import AuditAction, AuditEntry
from channels_whatsapp.models import GroupMessage, WebhookDelivery
from consent.models import ConsentErasure, ConsentMethod, ConsentRecord, ConsentStatus
from consent.services import record_consent
from customer_service.models import Case, CaseComment
from customer_service.retention import REMOVED_TEXT
from integrations.models import Delivery
from interactions.models import (
    AttachmentState,
    ChannelUser,
    ContentRemoval,
    Direction,
    LinkPreview,
    Message,
    MessageKind,
    MessageStatus,
    Notification,
    NotificationOutcome,
)
from interactions.roles import ADMIN
from retention.admin_actions import MOST_CUSTOMERS_AT_ONCE
from retention.tests.records import integration_delivery, link_preview, photo_message, webhook_delivery
from tests.factories import InteractionFactory, MessageFactory, UserFactory, agent, manager

pytestmark = pytest.mark.django_db


class Customer:
    """One customer with something of every kind the erasure removes."""

    def __init__(self, name: str, number: str) -> None:
        self.interaction = InteractionFactory(
            channel_user__display_name=name,
            channel_user__external_id=number,
            channel_user__language="de",
            channel_user__attributes={"vip": True},
        )
        self.channel_user = self.interaction.channel_user
        self.text = MessageFactory(interaction=self.interaction, text=f"I am {name}, see https://{number}.example/")
        self.place = MessageFactory(
            interaction=self.interaction, kind=MessageKind.LOCATION, text="", content={"latitude": 1, "longitude": 2}
        )
        self.photo = photo_message(interaction=self.interaction)
        self.file = self.photo.attachment.file.name
        self.reply = MessageFactory(
            interaction=self.interaction, direction=Direction.OUTBOUND, status=MessageStatus.SENT, text=f"Hi {name}"
        )
        self.preview = link_preview(f"https://{number}.example/")
        self.preview_file = self.preview.image.name
        record_consent(channel_user=self.channel_user, status=ConsentStatus.OPTED_IN, method=ConsentMethod.KEYWORD)
        self.webhook = webhook_delivery(wa_id=number, text=f"I am {name}")
        self.group_message = GroupMessage.objects.create(
            phone_number_id="1",
            group_id="g",
            wamid=f"wamid.g{number}",
            sender=number,
            sender_name=name,
            type="text",
            text="In the group",
            sent_at=self.interaction.opened_at,
        )
        self.delivery = integration_delivery({"customer": {"id": self.channel_user.pk, "name": name}})
        self.case_delivery = integration_delivery({"case": {"id": 1, "customer_id": self.channel_user.pk}})
        self.case = Case.objects.create(
            number=f"CS{number[-6:]}",
            short_description=f"{name}'s chair",
            description="Broken leg",
            channel_user=self.channel_user,
        )
        self.own_comment = CaseComment.objects.create(case=self.case, text=f"{name} here, still broken")
        self.agent_comment = CaseComment.objects.create(case=self.case, text="Replacing it", author=UserFactory())
        self.notification = Notification.objects.create(
            idempotency_key=f"k{number}",
            channel_user=self.channel_user,
            recipient=number,
            reason="case resolved",
            content={"text": f"Hello {name}"},
            fingerprint="f",
            outcome=NotificationOutcome.SENT,
        )


@pytest.fixture
def ana():
    return Customer("Ana Lima", "15550001111")


@pytest.fixture
def bo():
    return Customer("Bo Berg", "15550002222")


def admin() -> Client:
    client = Client()
    client.force_login(UserFactory(role=ADMIN, is_staff=True))
    return client


def erase(client: Client, customer: Customer, reason: str = "Request 2026-12-01 #77"):
    return client.post(
        f"/api/v1/channel-users/{customer.channel_user.pk}/erasure/",
        {"reason": reason},
        content_type="application/json",
    )


def test_erasure_removes_every_listed_thing_of_that_customer(ana, bo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = erase(admin(), ana)

    assert response.status_code == 200
    assert response.json() == {
        "channel_user_id": ana.channel_user.pk,
        "removed": {
            "consent_records": 1,
            "message_bodies": 4,
            "media_files": 1,
            "link_previews": 1,
            "profile": 1,
            "notifications": 1,
            "case_comments": 1,
            "case_descriptions": 1,
            "catalog_answers": 0,
            "integration_payloads": 2,
            "webhook_bodies": 1,
            "group_messages": 1,
        },
    }
    customer = ChannelUser.objects.get(pk=ana.channel_user.pk)
    assert (customer.display_name, customer.attributes, customer.language) == ("", {}, "")
    assert customer.external_id == "15550001111"  # the key a later message or opt-out is matched by
    messages = Message.objects.filter(interaction=ana.interaction)
    assert messages.count() == 4  # the skeletons stay
    assert {(m.text, json.dumps(m.content), m.content_removed_reason) for m in messages} == {
        ("", "{}", ContentRemoval.ERASURE)
    }
    assert {m.direction for m in messages} == {Direction.INBOUND, Direction.OUTBOUND}
    ana.interaction.refresh_from_db()
    assert ana.interaction.last_message_preview["text"] == ""
    attachment = Message.objects.get(pk=ana.photo.pk).attachment
    assert (attachment.state, attachment.file.name, attachment.filename) == (AttachmentState.REMOVED, "", "")
    assert not default_storage.exists(ana.file) and not default_storage.exists(ana.preview_file)
    assert not LinkPreview.objects.filter(pk=ana.preview.pk).exists()
    assert not ConsentRecord.objects.filter(channel_user=ana.channel_user).exists()
    assert ConsentErasure.objects.get().records_erased == 1
    assert bytes(WebhookDelivery.objects.get(pk=ana.webhook.pk).body) == b""
    assert GroupMessage.objects.filter(pk=ana.group_message.pk, text="", sender_name="", content={}).exists()
    for delivery in (ana.delivery, ana.case_delivery):
        assert Delivery.objects.get(pk=delivery.pk).payload["data_removed"] == "erasure"
        assert "data" not in Delivery.objects.get(pk=delivery.pk).payload
    case = Case.objects.get(pk=ana.case.pk)
    assert (case.short_description, case.description, case.state) == (REMOVED_TEXT, "", ana.case.state)
    assert CaseComment.objects.get(pk=ana.own_comment.pk).text == REMOVED_TEXT
    assert CaseComment.objects.get(pk=ana.agent_comment.pk).text == "Replacing it"  # the desk's own record
    assert Notification.objects.get(pk=ana.notification.pk).content == {}


def test_nothing_of_another_customer_is_touched(ana, bo, django_capture_on_commit_callbacks):
    before = {
        "messages": list(Message.objects.filter(interaction=bo.interaction).values()),
        "customer": ChannelUser.objects.filter(pk=bo.channel_user.pk).values().get(),
        "webhook": bytes(bo.webhook.body),
        "payloads": [bo.delivery.payload, bo.case_delivery.payload],
    }

    with django_capture_on_commit_callbacks(execute=True):
        assert erase(admin(), ana).status_code == 200

    assert list(Message.objects.filter(interaction=bo.interaction).values()) == before["messages"]
    assert ChannelUser.objects.filter(pk=bo.channel_user.pk).values().get() == before["customer"]
    assert default_storage.exists(bo.file) and default_storage.exists(bo.preview_file)
    assert LinkPreview.objects.filter(pk=bo.preview.pk).exists()
    assert Message.objects.get(pk=bo.photo.pk).attachment.state == AttachmentState.STORED
    assert ConsentRecord.objects.filter(channel_user=bo.channel_user).count() == 1
    assert bytes(WebhookDelivery.objects.get(pk=bo.webhook.pk).body) == before["webhook"]
    assert GroupMessage.objects.get(pk=bo.group_message.pk).text == "In the group"
    assert [Delivery.objects.get(pk=d.pk).payload for d in (bo.delivery, bo.case_delivery)] == before["payloads"]
    assert Case.objects.get(pk=bo.case.pk).short_description == "Bo Berg's chair"
    assert CaseComment.objects.get(pk=bo.own_comment.pk).text == "Bo Berg here, still broken"
    assert Notification.objects.get(pk=bo.notification.pk).content == {"text": "Hello Bo Berg"}


def test_one_audit_entry_says_who_which_customer_and_how_many_never_the_data(ana, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        erase(admin(), ana, reason="Request 2026-12-01 #77")

    entry = AuditEntry.objects.get(action=AuditAction.CUSTOMER_ERASED)
    assert entry.username and entry.object_id == str(ana.channel_user.pk)
    assert entry.object_label == f"Customer #{ana.channel_user.pk}"
    assert entry.changes["reason"] == "Request 2026-12-01 #77" and entry.changes["removed"]["message_bodies"] == 4
    recorded = json.dumps([entry.object_label, entry.changes])
    assert "Ana" not in recorded and "15550001111" not in recorded


def test_erasing_again_finds_nothing_more(ana, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        erase(admin(), ana)
        again = erase(admin(), ana).json()["removed"]

    assert set(again.values()) == {0}


@pytest.mark.parametrize("person", [lambda: agent(is_staff=True), manager], ids=["agent", "manager"])
def test_agents_and_managers_are_refused(ana, person):
    client = Client()
    client.force_login(person())

    assert erase(client, ana).status_code == 403
    assert client.get(f"/api/v1/channel-users/{ana.channel_user.pk}/erasure/").status_code == 403
    changelist = client.get("/admin/interactions/channeluser/")
    assert changelist.status_code in (200, 403)
    assert b"erase_customers" not in changelist.content
    refused = client.post(
        "/admin/interactions/channeluser/",
        {"action": "erase_customers", "_selected_action": [ana.channel_user.pk], "reason": "because"},
    )
    assert refused.status_code in (200, 302, 403)
    assert ChannelUser.objects.get(pk=ana.channel_user.pk).display_name == "Ana Lima"
    assert Message.objects.get(pk=ana.text.pk).text.startswith("I am Ana Lima")
    assert not AuditEntry.objects.filter(action=AuditAction.CUSTOMER_ERASED).exists()


def test_an_erasure_without_a_reason_is_refused_and_changes_nothing(ana):
    response = erase(admin(), ana, reason="   ")

    assert response.status_code == 400 and "reason" in response.json()
    assert ChannelUser.objects.get(pk=ana.channel_user.pk).display_name == "Ana Lima"


def test_the_admin_page_says_what_goes_and_what_stays_then_erases(ana, django_capture_on_commit_callbacks):
    client = admin()
    chosen = {"action": "erase_customers", "_selected_action": [ana.channel_user.pk]}

    page = client.post("/admin/interactions/channeluser/", chosen)

    assert page.status_code == 200
    text = page.content.decode()
    listed = text.split('data-testid="erasure-customers"')[1].split("</table>")[0]
    assert f"#{ana.channel_user.pk}" in listed and "Ana Lima" in listed and "15550001111" in listed
    assert "Every photo, video, audio and document file" in text and "Their consent history" in text
    assert "Agents&#x27; comments and work notes" in text
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/admin/interactions/channeluser/", {**chosen, "reason": "Request #77"}, follow=True)
    assert "Erased the data of 1 customer(s)" in done.content.decode()
    assert Message.objects.get(pk=ana.text.pk).content_removed_reason == ContentRemoval.ERASURE


def test_the_consent_history_page_names_each_customer_to_be_erased(ana, bo):
    records = ConsentRecord.objects.filter(channel_user__in=[ana.channel_user, bo.channel_user])

    page = admin().post(
        "/admin/consent/consentrecord/",
        {"action": "erase_history", "_selected_action": [record.pk for record in records]},
    )

    listed = page.content.decode().split('data-testid="erasure-customers"')[1].split("</table>")[0]
    for customer, name, number in ((ana, "Ana Lima", "15550001111"), (bo, "Bo Berg", "15550002222")):
        assert f"#{customer.channel_user.pk}" in listed and name in listed and number in listed
    assert ConsentRecord.objects.filter(channel_user=ana.channel_user).exists()  # only asked, not yet erased


def test_a_selection_above_the_most_at_once_is_refused_with_the_reason_and_nothing_erased(ana):
    others = ChannelUser.objects.bulk_create(
        ChannelUser(channel="whatsapp", account_id="1", external_id=f"1555100{n:04d}", display_name=f"C{n}")
        for n in range(MOST_CUSTOMERS_AT_ONCE)
    )
    chosen = [ana.channel_user.pk, *(customer.pk for customer in others)]
    client = admin()

    for step in ({}, {"reason": "Request #77"}):
        refused = client.post(
            "/admin/interactions/channeluser/",
            {"action": "erase_customers", "_selected_action": chosen, **step},
            follow=True,
        )
        text = refused.content.decode()
        assert "You selected 101 customers: erase at most 100 at once" in text
        assert 'data-testid="erasure-customers"' not in text
    assert ChannelUser.objects.get(pk=ana.channel_user.pk).display_name == "Ana Lima"
    assert not AuditEntry.objects.filter(action=AuditAction.CUSTOMER_ERASED).exists()


def test_the_plan_is_readable_over_the_api_before_erasing(ana):
    plan = admin().get(f"/api/v1/channel-users/{ana.channel_user.pk}/erasure/").json()

    assert plan["channel_user_id"] == ana.channel_user.pk
    assert any("consent history" in line for line in plan["removes"])
    assert any("message row" in line for line in plan["keeps"])
