"""Managers review every conversation in the admin: a list they filter and search by what they know, each record a
transcript (media, ticks, failures, notes on request, routing history, consent, cases), and both exported, each
export in the audit log. Agents never get in."""

import csv
import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from channels_whatsapp.models import BusinessNumber
from customer_service.models import ContactLink
from customer_service.tests.factories import AccountFactory, ContactFactory
from interactions.models import AttachmentState, ContentRemoval, InteractionState, MessageAttachment
from interactions.records import exports
from routing.tests.factories import QueueFactory
from tests.factories import ChannelUserFactory, InteractionFactory, MessageFactory, UserFactory, agent, manager
from tests.records import CUSTOMER_NUMBER, META_ERROR, reviewed_conversation, stored_file

pytestmark = pytest.mark.django_db

LIST = "/admin/interactions/interaction/"


def listed(client, **params) -> set[str]:
    page = client.get(LIST, params)
    assert page.status_code == 200, page.content[:500]
    return {interaction.number for interaction in page.context["cl"].result_list}


def record_page(client, interaction, **params):
    page = client.get(f"{LIST}{interaction.pk}/change/", params)
    assert page.status_code == 200
    return page.content.decode()


def test_a_manager_filters_the_records_by_state_queue_agent_number_account_and_customer(client):
    alice, bob = agent(first_name="Alice"), agent(first_name="Bob")
    billing, sales = QueueFactory(key="billing", name="Billing"), QueueFactory(key="sales", name="Sales")
    BusinessNumber.objects.create(
        phone_number_id="5550002", display_phone_number="+1 555 0002", access_token="a", app_secret="b"
    )
    acme = AccountFactory(name="Acme Ltd")
    priya = ChannelUserFactory(display_name="Priya Raman", external_id=CUSTOMER_NUMBER)
    ContactLink.objects.create(channel_user=priya, contact=ContactFactory(account=acme))
    open_billing = InteractionFactory(
        channel_user=priya, queue=billing.key, assigned_to=alice, state=InteractionState.WORK_IN_PROGRESS
    )
    closed_sales = InteractionFactory(
        queue=sales.key,
        assigned_to=bob,
        state=InteractionState.CLOSED_COMPLETE,
        closed_at=timezone.now(),
        channel_user=ChannelUserFactory(account_id="5550002", display_name="Tom Baker"),
    )
    unassigned = InteractionFactory(state=InteractionState.NEW)
    client.force_login(manager())

    assert listed(client) == {open_billing.number, closed_sales.number, unassigned.number}
    assert listed(client, state="closed_complete") == {closed_sales.number}
    assert listed(client, queue="billing") == {open_billing.number}
    assert listed(client, agent=str(bob.pk)) == {closed_sales.number}
    assert listed(client, agent="none") == {unassigned.number}
    assert listed(client, business_number="5550002") == {closed_sales.number}
    assert listed(client, account=str(acme.pk)) == {open_billing.number}
    assert listed(client, q="priya") == {open_billing.number}
    assert listed(client, q="+44 7700 900123") == {open_billing.number}  # as people write a number
    assert listed(client, q=closed_sales.number) == {closed_sales.number}
    page = client.get(LIST).content.decode()
    for offered in ("By queue", "Billing", "By business number", "+1 555 0002", "By account", "Acme Ltd"):
        assert offered in page


def test_the_records_filter_by_the_days_they_were_opened(client):
    now = timezone.localtime()
    today = InteractionFactory(opened_at=now)
    last_week = InteractionFactory(opened_at=now - timedelta(days=7))
    client.force_login(manager())
    week_ago = (now - timedelta(days=7)).date().isoformat()

    assert listed(client, opened_from=now.date().isoformat()) == {today.number}
    assert listed(client, opened_to=week_ago) == {last_week.number}
    assert listed(client, opened_from=week_ago, opened_to=week_ago) == {last_week.number}
    page = client.get(LIST, {"opened_from": "2026-02-30"})
    assert page.status_code == 200  # a day that does not exist is said so, not an error page
    assert "“2026-02-30” is not a date" in page.content.decode()
    assert {row.number for row in page.context["cl"].result_list} == {today.number, last_week.number}


def test_the_list_reads_a_fixed_number_of_queries_however_many_rows(client):
    client.force_login(manager())

    def queries_for_a_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    for _ in range(2):
        MessageFactory(interaction=InteractionFactory(assigned_to=agent()))
    few = queries_for_a_page()
    for _ in range(20):
        MessageFactory(interaction=InteractionFactory(assigned_to=agent()))
    assert queries_for_a_page() == few


def test_the_record_reads_a_fixed_number_of_queries_however_long_the_conversation(client):
    interaction, alice, maya = reviewed_conversation()
    client.force_login(maya)

    def queries_for_the_record() -> int:
        with CaptureQueriesContext(connection) as captured:
            record_page(client, interaction)
        return len(captured)

    record_page(client, interaction)  # the first request fills the content-type cache
    before = queries_for_the_record()
    for number in range(15):
        MessageFactory(interaction=interaction, text=f"More {number}")
        reply = MessageFactory(interaction=interaction, outbound=True, author=alice, text="Noted")
        stored_file(MessageFactory(interaction=interaction, kind="image", reply_to=reply), "image")
    assert queries_for_the_record() == before


def test_each_row_shows_the_customer_state_queue_agent_and_last_message(client):
    _interaction, _alice, maya = reviewed_conversation()
    client.force_login(maya)
    page = client.get(LIST).content.decode()
    assert "Priya Raman" in page and f"+{CUSTOMER_NUMBER}" in page
    assert '<span class="state-pill state-work_in_progress">Work in progress</span>' in page
    assert "Alice Agent" in page
    assert "Your refund is on its way" in page  # the last message
    assert "Download these records (CSV)" in page


def test_the_record_reads_as_a_transcript_with_media_ticks_failures_and_notes(client):
    interaction, _alice, maya = reviewed_conversation()
    client.force_login(maya)
    page = record_page(client, interaction)

    assert "Hello, my parcel never arrived" in page
    photo, voice, invoice = interaction.messages.filter(kind__in=["image", "audio", "document"]).order_by("sequence")
    assert f'<img class="tx-image" src="/media/messages/{photo.pk}/"' in page
    assert f'<audio class="tx-audio" controls preload="metadata" src="/media/messages/{voice.pk}/">' in page
    assert f'href="/media/messages/{invoice.pk}/?download=1"' in page and "invoice-2041.pdf" in page
    assert "Location: Home (51.50135, -0.14189)" in page
    assert "<li>Refund</li><li>Resend</li>" in page
    assert 'data-status="read"' in page and 'title="Read"' in page
    assert 'data-status="delivered"' in page
    assert f"Not delivered (error 131047): Re-engagement message. {META_ERROR}" in page
    assert "Courier lost two parcels this week" in page and "Internal note · never sent" in page
    assert "Offer a refund straight away" in page and "Whisper to Alice Agent · never sent" in page
    # The manager's own media view serves the files the page shows.
    assert client.get(f"/media/messages/{photo.pk}/").status_code == 200

    as_the_customer_saw_it = record_page(client, interaction, notes="hide")
    assert "Courier lost two parcels this week" not in as_the_customer_saw_it
    assert "Offer a refund straight away" not in as_the_customer_saw_it
    assert "Hello, my parcel never arrived" in as_the_customer_saw_it
    assert "transcript.html?notes=hide" in as_the_customer_saw_it  # the download follows the toggle


def test_the_record_shows_the_routing_history_consent_and_linked_cases(client):
    interaction, _alice, maya = reviewed_conversation()
    client.force_login(maya)
    page = record_page(client, interaction)
    assert 'data-testid="routing-history"' in page and "Accepted" in page
    assert 'data-testid="consent-events"' in page and "Opted out" in page and "<q>STOP</q>" in page
    assert "CS0001042" in page and "Parcel lost in transit" in page
    assert "<dt>Queue</dt><dd>Billing</dd>" in page  # routing names the queue the core keeps by key


def test_the_record_names_the_business_number_as_people_know_it(client, settings):
    interaction, _alice, maya = reviewed_conversation()
    BusinessNumber.objects.create(
        phone_number_id=settings.WHATSAPP_PHONE_NUMBER_ID,
        display_phone_number="+1 555 0100",
        access_token="a",
        app_secret="b",
    )
    client.force_login(maya)
    assert "<dt>Business number</dt><dd>+1 555 0100</dd>" in record_page(client, interaction)


def test_the_record_has_no_button_that_reads_like_changing_the_conversation(client):
    interaction, _alice, maya = reviewed_conversation()
    client.force_login(maya)
    page = record_page(client, interaction)
    assert 'name="_save"' not in page and "closelink" not in page and ">Close<" not in page
    assert "← All interaction records" in page and "Download transcript (HTML)" in page
    record = page[page.index('data-testid="interaction-record"') :]
    assert "style=" not in record and not re.search(r"<script(?![^>]*\bsrc=)", record)  # the coming strict CSP


def test_the_csv_export_has_the_filtered_rows_and_is_audited(client):
    interaction, _alice, maya = reviewed_conversation()
    other = InteractionFactory(
        state=InteractionState.CLOSED_ABANDONED,
        channel_user=ChannelUserFactory(display_name='=HYPERLINK("http://evil.example")'),
    )
    client.force_login(maya)

    answer = client.get(f"{LIST}export.csv", {"state": "work_in_progress"})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode())))
    assert rows[0] == exports.CSV_COLUMNS
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["number"] == interaction.number
    assert row["customer_name"] == "Priya Raman"
    assert row["customer_number"] == f"'+{CUSTOMER_NUMBER}"  # a spreadsheet would read +44… as a formula
    assert (row["state"], row["queue"], row["agent"]) == ("Work in progress", "billing", "Alice Agent")
    assert row["last_message"] == "Your refund is on its way"

    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.user == maya and entry.object_label == "Interaction records (CSV)"
    assert entry.changes == {"filters": {"state": ["work_in_progress"]}, "searched": False}

    client.get(f"{LIST}export.csv", {"q": "Priya Raman"})
    searched = AuditEntry.objects.filter(action=AuditAction.EXPORT).first()
    assert searched.changes == {"filters": {}, "searched": True}  # never the customer's name or number

    everything = b"".join(client.get(f"{LIST}export.csv").streaming_content).decode()
    assert "'=HYPERLINK" in everything and other.number in everything


class _Resources(HTMLParser):
    """Every address the document would fetch or link to, and its tags."""

    def __init__(self) -> None:
        super().__init__()
        self.addresses: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        self.addresses += [value for name, value in attrs if name in ("src", "href", "poster", "srcset") and value]


def test_the_transcript_downloads_as_a_standalone_html_document_and_is_audited(client):
    interaction, _alice, maya = reviewed_conversation()
    client.force_login(maya)

    answer = client.get(f"{LIST}{interaction.pk}/transcript.html")
    assert answer.status_code == 200
    assert answer["Content-Disposition"] == f'attachment; filename="transcript-{interaction.number}.html"'
    document = answer.content.decode()
    parsed = _Resources()
    parsed.feed(document)
    assert "script" not in parsed.tags and "link" not in parsed.tags
    assert parsed.addresses and all(address.startswith("data:image/jpeg;base64,") for address in parsed.addresses)
    assert "<style>" in document and ".tx-bubble" in document  # its own CSS inside
    assert "Hello, my parcel never arrived" in document
    assert "Courier lost two parcels this week" in document
    assert f"{META_ERROR}" in document
    assert "invoice-2041.pdf (application/pdf" in document and "is not included in this file" in document
    assert "Exported by Maya Manager" in document

    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert (entry.user, entry.object_id) == (maya, str(interaction.pk))
    assert entry.object_label == f"Transcript of {interaction.number} (HTML)"
    assert entry.changes == {"internal_notes": True}

    without_notes = client.get(f"{LIST}{interaction.pk}/transcript.html", {"notes": "hide"}).content.decode()
    assert "Courier lost two parcels this week" not in without_notes
    assert "internal notes left out" in without_notes


def test_a_photo_too_large_to_embed_is_named_not_included(client, monkeypatch):
    interaction, _alice, maya = reviewed_conversation()
    monkeypatch.setattr(exports, "EMBEDDED_IMAGE_LIMIT", 100)
    client.force_login(maya)
    document = client.get(f"{LIST}{interaction.pk}/transcript.html").content.decode()
    assert "data:image" not in document
    assert "is not included in this file: larger than" in document


@pytest.mark.parametrize("staff", [False, True])
def test_agents_cannot_open_the_records_nor_export_them(client, staff):
    interaction, alice, _maya = reviewed_conversation()
    if staff:  # even an agent someone made staff
        alice.is_staff = True
        alice.save()
    client.force_login(alice)
    for address in (
        LIST,
        f"{LIST}{interaction.pk}/change/",
        f"{LIST}export.csv",
        f"{LIST}{interaction.pk}/transcript.html",
    ):
        answer = client.get(address)
        assert answer.status_code in (302, 403, 404), address
        if answer.status_code == 302:
            assert answer["Location"].startswith("/admin/login/")
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_an_admin_reads_the_records_too(client):
    interaction, _alice, _maya = reviewed_conversation()
    admin_user = UserFactory(role="admin", is_staff=True)
    client.force_login(admin_user)
    assert "Hello, my parcel never arrived" in record_page(client, interaction)


def test_a_file_still_downloading_says_so(client):
    interaction, _alice, maya = reviewed_conversation()
    pending = MessageFactory(interaction=interaction, kind="image", text="")
    stored_file(pending, "image")
    MessageAttachment.objects.filter(message=pending).update(state=AttachmentState.PENDING)
    client.force_login(maya)
    assert "Image: still downloading." in record_page(client, interaction)


def test_a_message_whose_content_was_removed_says_why_instead_of_an_empty_bubble(client):
    interaction, _alice, maya = reviewed_conversation()
    kept = MessageFactory(interaction=interaction, text="")
    removed_at = timezone.now() - timedelta(days=2)
    kept.__class__.objects.filter(pk=kept.pk).update(
        content_removed_at=removed_at, content_removed_reason=ContentRemoval.RETENTION
    )
    photo = MessageFactory(interaction=interaction, kind="image", text="")
    stored_file(photo, "image")
    MessageAttachment.objects.filter(message=photo).update(state=AttachmentState.REMOVED)
    photo.__class__.objects.filter(pk=photo.pk).update(
        content_removed_at=removed_at, content_removed_reason=ContentRemoval.ERASURE
    )
    client.force_login(maya)

    page = record_page(client, interaction)

    assert f"Removed under the retention policy on {removed_at:%-d %b %Y}." in page
    assert "Image: the file was removed (removed at the customer&#x27;s erasure request)." in page
