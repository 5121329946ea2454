"""The records' exports: the list as CSV (as filtered on the page) and one transcript as a standalone HTML file,
readable offline, years later, without WhatsDesk: its CSS inside, its photos inside up to a size."""

import base64
from collections.abc import Iterator

from django.contrib.staticfiles import finders
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from interactions.admin_panels import label
from interactions.csv_rows import csv_lines
from interactions.models import Interaction, InteractionState
from interactions.people import person_name
from interactions.records.transcript import TranscriptEntry, transcript

CSV_COLUMNS = [
    "number",
    "state",
    "customer_name",
    "customer_number",
    "business_number",
    "queue",
    "agent",
    "opened_at",
    "closed_at",
    "last_message_at",
    "last_message",
    "state_reason",
]
# A photo larger than this stays out of the HTML file (a note says so), so a transcript stays a file one can mail.
EMBEDDED_IMAGE_LIMIT = 2 * 1024 * 1024
# Raster types a browser shows from a data: URI without running anything (never SVG).
EMBEDDABLE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
STYLESHEET = "records/transcript.css"


def _when(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def last_message_text(interaction: Interaction) -> str:
    """The list's last message, from the preview the interaction keeps (no join): its text, or what it was."""
    preview = interaction.last_message_preview or {}
    return preview.get("text") or (f"[{preview['kind']}]" if preview.get("kind") else "")


def records_csv(records: QuerySet[Interaction]) -> Iterator[str]:
    """`records` as the list shows them (filters, search and order applied), streamed in chunks."""
    rows = (
        [
            interaction.number or "",
            InteractionState(interaction.state).label,
            interaction.channel_user.display_name,
            f"+{interaction.channel_user.external_id}",
            interaction.channel_user.account_id,
            interaction.queue,
            person_name(interaction.assigned_to) or "",
            _when(interaction.opened_at),
            _when(interaction.closed_at),
            _when(interaction.last_message_at),
            last_message_text(interaction),
            interaction.state_reason,
        ]
        for interaction in records.select_related("channel_user", "assigned_to").iterator(chunk_size=500)
    )
    return csv_lines(CSV_COLUMNS, rows)


def _embedded_image(entry: TranscriptEntry) -> str:
    """A photo as a data: URI, or "" when it is too large, not a safe raster type, or its file is gone."""
    attachment = entry.attachment
    if entry.media != "image" or not entry.file_ready or attachment.mime_type not in EMBEDDABLE_TYPES:
        return ""
    if (attachment.size or attachment.file.size) > EMBEDDED_IMAGE_LIMIT:
        return ""
    try:
        with attachment.file.open("rb") as stored:
            data = stored.read(EMBEDDED_IMAGE_LIMIT + 1)
    except OSError:
        return ""
    if len(data) > EMBEDDED_IMAGE_LIMIT:
        return ""
    return f"data:{attachment.mime_type};base64,{base64.b64encode(data).decode('ascii')}"


def transcript_document(interaction: Interaction, *, with_notes: bool, exported_by: str) -> str:
    """The whole HTML file: no link, script, font or image it would fetch from anywhere."""
    entries = transcript(interaction, with_notes=with_notes)
    with open(finders.find(STYLESHEET), encoding="utf-8") as stylesheet:
        css = stylesheet.read()
    return render_to_string(
        "admin/interactions/interaction/transcript_document.html",
        {
            "interaction": interaction,
            "agent": person_name(interaction.assigned_to),
            "queue": label("queue", interaction.queue),
            "entries": [(entry, _embedded_image(entry)) for entry in entries],
            "with_notes": with_notes,
            "css": css,
            "exported_by": exported_by,
            "exported_at": timezone.now(),
            "image_limit_mb": EMBEDDED_IMAGE_LIMIT // (1024 * 1024),
        },
    )
