"""Ids from data become Graph API path segments only when they are Meta's digits: `../../x` never takes the
bearer token to another path."""

import pytest

from channels_whatsapp.client import InvalidGraphId
from channels_whatsapp.tests.test_client import PHONE_NUMBER_ID, SEND_BODY, client_for, graph_api  # noqa: F401
from interactions.events import InboundMedia
from interactions.models import AttachmentState
from interactions.services.inbound import record_inbound_message
from interactions.services.media import store_inbound_media
from interactions.tests.core_events import inbound_message

HOSTILE = [
    "../../etc/passwd",
    "..",
    "123/../456",
    "123?fields=x",
    "123#x",
    "",
    "\uff11\uff12\uff13",
]  # the last: full-width digits


@pytest.mark.parametrize("media_id", HOSTILE)
def test_a_media_id_that_is_not_digits_is_refused_before_any_request(graph_api, media_id):  # noqa: F811
    client = client_for(graph_api.url)

    with pytest.raises(InvalidGraphId):
        client.media_info(media_id=media_id)  # the stand-in answers GETs with 501: a request would not raise this


@pytest.mark.parametrize("phone_number_id", HOSTILE)
def test_a_phone_number_id_that_is_not_digits_is_refused_before_any_request(graph_api, phone_number_id):  # noqa: F811
    client = client_for(graph_api.url)

    with pytest.raises(InvalidGraphId):
        client.send_message(phone_number_id=phone_number_id, body=SEND_BODY)
    with pytest.raises(InvalidGraphId):
        client.mark_read(phone_number_id=phone_number_id, wamid="wamid.x")
    with pytest.raises(InvalidGraphId):
        client.message_templates(waba_id=phone_number_id)
    assert graph_api.requests == []


def test_digits_still_go_through(graph_api):  # noqa: F811
    client_for(graph_api.url).send_message(phone_number_id=PHONE_NUMBER_ID, body=SEND_BODY)

    assert [request.path for request in graph_api.requests] == [f"/v25.0/{PHONE_NUMBER_ID}/messages"]


@pytest.mark.django_db
def test_a_file_announced_with_a_hostile_media_id_is_unavailable_at_once_with_the_reason():
    message = record_inbound_message(
        event=inbound_message(kind="document", text="", media=InboundMedia(external_id="../../etc/passwd"))
    )

    assert store_inbound_media(attachment_id=message.attachment.pk) is None

    message.attachment.refresh_from_db()
    assert message.attachment.state == AttachmentState.UNAVAILABLE
    assert message.attachment.failure_reason == "'../../etc/passwd' is not a valid WhatsApp id"
