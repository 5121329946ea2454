"""A kept file is named for what its bytes were checked to be: PDF bytes called `x.html` are stored, served and
sent on as `x.pdf`, so no browser or desktop opening the download takes them for a page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from interactions.media_policies import filename_for_type
from interactions.models import AttachmentState
from interactions.services.media import send_agent_media
from tests.factories import InteractionFactory, agent, agent_holding
from tests.media_samples import sample
from tests.test_media import CUSTOMER, settled_attachment


@pytest.mark.parametrize(
    ("name", "mime_type", "kept"),
    [
        ("x.html", "application/pdf", "x.pdf"),
        ("Invoice.PDF", "application/pdf", "Invoice.PDF"),
        ("notes.csv", "text/plain", "notes.csv"),
        ("photo", "image/jpeg", "photo.jpg"),
        ("", "image/png", "file.png"),
        ("../../evil.exe", "application/x-unknown-to-us", "evil.bin"),
        ("a" * 300 + ".html", "application/pdf", "a" * 251 + ".pdf"),
    ],
)
def test_the_kept_name_has_an_extension_of_the_checked_type(name, mime_type, kept):
    assert filename_for_type(name, mime_type) == kept


@pytest.mark.django_db
def test_an_agents_pdf_called_html_is_kept_and_sent_as_pdf(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    upload = SimpleUploadedFile("x.html", sample("invoice.pdf"), content_type="text/html")

    message = send_agent_media(interaction=InteractionFactory(), author=agent(), upload=upload)

    assert (message.kind, message.attachment.filename) == ("document", "x.pdf")
    assert message.attachment.file.name.endswith(".pdf")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_customers_pdf_called_html_is_stored_and_served_as_pdf(live_system):
    wamid = live_system.emulator.customer_sends_media(
        CUSTOMER, "document", sample("invoice.pdf"), "application/pdf", filename="x.html", name="Sheena Nelson"
    )

    attachment = settled_attachment(wamid)
    assert attachment.state == AttachmentState.STORED, attachment.failure_reason
    assert (attachment.filename, attachment.file.name.endswith(".pdf")) == ("x.pdf", True)
    client = Client()
    client.force_login(agent_holding(attachment.message.interaction))
    response = client.get(f"/media/messages/{attachment.message_id}/")
    assert response["Content-Disposition"] == 'attachment; filename="x.pdf"'
