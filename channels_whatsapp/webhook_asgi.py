"""The lean path for Meta's deliveries (POST /webhooks/whatsapp/), as a plain ASGI app beside Django's.

Django's synchronous request path (middleware, a thread hop, a transaction and a task per delivery) cost ~4 ms of
server CPU per delivery and held the server near 200 deliveries/s. Here the signature is checked on the event
loop against cached app secrets, and the delivery joins the writer thread's next batch (`delivery_writer`); the
answer, 200 only once it is committed, is the one `webhook` defines for the same checks. Django's middleware is
skipped on purpose: the signature is what authenticates a delivery (not the Host header, nor a session).
"""

import time

from django.conf import settings

from channels_whatsapp.delivery_writer import delivery_writer
from channels_whatsapp.inbox import ReceivedDelivery
from channels_whatsapp.signature import SIGNATURE_HEADER, SignatureRefused
from channels_whatsapp.signing_secrets import signing_secrets
from channels_whatsapp.webhook import TOO_LARGE, Answer, not_stored, refused, stored, too_large


class _Disconnected(Exception):
    """The client went away before sending the whole body: there is nobody to answer."""


def _headers(scope) -> dict[str, str]:
    """Names in lower case; a header sent twice is joined with a comma, as Django does (so a second signature is
    refused as such)."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    return headers


async def _body(receive) -> bytes | None:
    """The body, or None once it is over the limit."""
    limit, chunks, size = settings.WHATSAPP_WEBHOOK_MAX_BODY_BYTES, [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _answer(headers: dict[str, str], receive) -> Answer:
    arrived = time.monotonic()
    if too_large(headers.get("content-length")):
        return TOO_LARGE
    body = await _body(receive)
    if body is None:
        return TOO_LARGE
    header_value = headers.get(SIGNATURE_HEADER.lower())
    try:
        signed_for = signing_secrets.cached_signers(body=body, header_value=header_value)
        if signed_for is None:  # the cache is stale, or a number added a moment ago may have signed it
            signed_for = await delivery_writer.run(
                lambda: signing_secrets.signers(body=body, header_value=header_value, arrived=arrived)
            )
        await delivery_writer.store(ReceivedDelivery(body=body, signed_for=signed_for))
    except SignatureRefused as refusal:
        return refused(refusal)
    except Exception as problem:
        return not_stored(problem)
    return stored(signed_for)


async def receive_deliveries(scope, receive, send) -> None:
    """ASGI app for POST /webhooks/whatsapp/ (config/asgi.py routes only those here)."""
    try:
        answer = await _answer(_headers(scope), receive)
    except _Disconnected:
        return
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    headers += [(name.lower().encode(), value.encode()) for name, value in answer.headers.items()]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.text.encode()})
