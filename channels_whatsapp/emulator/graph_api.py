"""The Graph API endpoints the app calls, answered the way graph.facebook.com answers them.

The version prefix is optional, as on Meta's side, and any `vNN.N` is accepted. Media: `POST
/{phone-number-id}/media`, `GET` and `DELETE /{media-id}`, and the download URL `GET` hands out (see media.py).
"""

import json
import time
from collections.abc import Callable
from functools import partial

from channels_whatsapp.emulator.config import BusinessNumber
from channels_whatsapp.emulator.errors import (
    GraphError,
    RequestRejected,
    invalid_access_token,
    nonexisting_field,
    service_unavailable,
    session_invalidated,
    unknown_object,
)
from channels_whatsapp.emulator.identifiers import new_fbtrace_id
from channels_whatsapp.emulator.media import (
    DOWNLOAD_PATH,
    StoredMedia,
    download_url_is_valid,
    media_not_found,
    parse_upload,
    signed_download_url,
)
from channels_whatsapp.emulator.message_types import MarkReadRequest, parse_messages_request
from channels_whatsapp.emulator.network import WhatsAppNetwork
from channels_whatsapp.emulator.routing import Handler, Request, Response, Route, json_response, route
from channels_whatsapp.emulator.templates import template_page

VERSION = r"(?:/(?P<version>v\d+\.\d+))?"
_TOKEN_SCHEMES = ("bearer", "oauth")


def graph_routes(network: WhatsAppNetwork) -> list[Route]:
    return [
        route("POST", VERSION + r"/(?P<phone_number_id>\d+)/messages", graph_call(network, _post_messages)),
        route("POST", VERSION + r"/(?P<phone_number_id>\d+)/media", graph_call(network, _upload_media)),
        route("GET", VERSION + r"/(?P<node_id>\d+)", graph_call(network, _get_node)),
        route("DELETE", VERSION + r"/(?P<media_id>\d+)", graph_call(network, _delete_media)),
        route("GET", DOWNLOAD_PATH, graph_call(network, _download_media)),
        route("GET", VERSION + r"/(?P<waba_id>\d+)/message_templates", graph_call(network, _get_message_templates)),
        route("GET", VERSION + r"/(?P<waba_id>\d+)/subscribed_apps", graph_call(network, _get_subscribed_apps)),
    ]


def graph_call(network: WhatsAppNetwork, endpoint: Callable[[WhatsAppNetwork, Request], Response]) -> Handler:
    """Wraps an endpoint with what every Graph API call shares: the slow fault, errors, the request log."""
    return partial(_answer_graph_call, network, endpoint)


def unknown_graph_request(network: WhatsAppNetwork, request: Request) -> Response:
    return _answer_graph_call(network, _unknown_object, request)


def _answer_graph_call(
    network: WhatsAppNetwork, endpoint: Callable[[WhatsAppNetwork, Request], Response], request: Request
) -> Response:
    time.sleep(network.slow_response_seconds())
    received_at = time.time()
    error_code = retry_after = None
    injected = False
    try:
        response = endpoint(network, request)
    except RequestRejected as rejected:
        retry_after, injected = rejected.retry_after_seconds, rejected.injected
        response, error_code = _error_response(rejected.error, retry_after=retry_after), rejected.error.code
    network.record_request(
        {
            "at": received_at,
            "method": request.method,
            "path": request.path,
            "status": response.status,
            "error_code": error_code,
            "retry_after": retry_after,
            "injected": injected,
            **_send_identity(request),
        }
    )
    return response


def _send_identity(request: Request) -> dict:
    """Who a send was for and the app's own id for it (`biz_opaque_callback_data`), so a log reader can follow
    one message through its retries."""
    if request.method != "POST" or not request.path.endswith("/messages"):
        return {}
    try:
        body = json.loads(request.body)
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    return {"to": body.get("to"), "callback": body.get("biz_opaque_callback_data")}


def _post_messages(network: WhatsAppNetwork, request: Request) -> Response:
    if network.take_fault_count("fail_next_sends"):
        raise RequestRejected(service_unavailable())
    number = _authorize(network, request, phone_number_id=request.path_params["phone_number_id"])
    parsed = parse_messages_request(request.body)
    if isinstance(parsed, MarkReadRequest):
        network.mark_read_by_business(number=number, request=parsed)
        return json_response(200, {"success": True})
    network.inject_send_fault()
    wamid = network.send_message(number=number, request=parsed, api_version=request.path_params["version"])
    return json_response(
        200,
        {
            "messaging_product": "whatsapp",
            "contacts": [{"input": parsed.to, "wa_id": parsed.wa_id}],
            "messages": [{"id": wamid}],
        },
    )


def _upload_media(network: WhatsAppNetwork, request: Request) -> Response:
    number = _authorize(network, request, phone_number_id=request.path_params["phone_number_id"])
    upload = parse_upload(content_type=request.headers.get("Content-Type") or "", body=request.body)
    return json_response(200, {"id": network.upload_media(number=number, upload=upload)})


def _owned_media(network: WhatsAppNetwork, request: Request, media_id: str) -> tuple[BusinessNumber, StoredMedia]:
    """The token must be valid, and the media must belong to a number that token can see."""
    token = _valid_token(network, request)
    stored = network.media(media_id)
    number = network.config.business_number(stored.phone_number_id) if stored else None
    if stored is None or number is None or number.access_token != token:
        raise media_not_found(media_id, request.method)
    return number, stored


def _get_node(network: WhatsAppNetwork, request: Request) -> Response:
    """`GET /{id}`: one path for every node, as on Meta's side; a business phone number or a media file."""
    node_id = request.path_params["node_id"]
    if network.config.business_number(node_id) is not None:
        return _phone_number(network, request, node_id)
    return _media_info(network, request, node_id)


# The fields of `GET /{phone-number-id}` and what Meta answers without `fields` (its documented example).
PHONE_NUMBER_FIELDS = frozenset(
    {
        "id",
        "display_phone_number",
        "verified_name",
        "quality_rating",
        "code_verification_status",
        "name_status",
        "platform_type",
        "throughput",
        "whatsapp_business_manager_messaging_limit",
        "messaging_limit_tier",
        "account_mode",
        "is_official_business_account",
    }
)
DEFAULT_PHONE_NUMBER_FIELDS = ("verified_name", "display_phone_number", "id", "quality_rating")


def _phone_number(network: WhatsAppNetwork, request: Request, phone_number_id: str) -> Response:
    number = _authorize(network, request, phone_number_id=phone_number_id)
    wanted = [f.strip() for f in request.query.get("fields", "").split(",") if f.strip()]
    for name in wanted:
        if name not in PHONE_NUMBER_FIELDS:
            raise RequestRejected(nonexisting_field(name, node_type="WhatsAppBusinessPhoneNumber"))
    standing = network.number_standing(number)
    known = {
        "id": number.phone_number_id,
        "display_phone_number": number.display_phone_number,
        "verified_name": number.verified_name,
        "quality_rating": standing["quality_rating"],
        "code_verification_status": "VERIFIED",
        "name_status": "APPROVED",
        "platform_type": "CLOUD_API",
        "throughput": {"level": "STANDARD"},
        "whatsapp_business_manager_messaging_limit": standing["messaging_limit"],
        "messaging_limit_tier": standing["messaging_limit"],
        "account_mode": "LIVE",
        "is_official_business_account": False,
    }
    return json_response(200, {name: known[name] for name in [*(wanted or DEFAULT_PHONE_NUMBER_FIELDS), "id"]})


def _get_subscribed_apps(network: WhatsAppNetwork, request: Request) -> Response:
    """`GET /{waba-id}/subscribed_apps`: the app is subscribed when the emulator has a webhook URL to post to."""
    _authorize_account(network, request)
    config = network.config
    apps = []
    if config.webhook_url:
        apps.append(
            {
                "whatsapp_business_api_data": {
                    "link": f"https://www.facebook.com/games/?app_id={config.app_id}",
                    "name": config.app_name,
                    "id": config.app_id,
                }
            }
        )
    return json_response(200, {"data": apps})


def _media_info(network: WhatsAppNetwork, request: Request, media_id: str) -> Response:
    number, stored = _owned_media(network, request, media_id)
    host = request.headers.get("Host") or f"{network.config.host}:{network.config.port}"
    url = signed_download_url(
        base_url=f"http://{host}",
        media=stored,
        secret=number.app_secret,
        ttl_seconds=network.config.media_url_ttl_seconds,
    )
    return json_response(
        200,
        {
            "messaging_product": "whatsapp",
            "url": url,
            "mime_type": stored.mime_type,
            "sha256": stored.sha256,
            "file_size": len(stored.content),
            "id": stored.id,
        },
    )


def _delete_media(network: WhatsAppNetwork, request: Request) -> Response:
    _owned_media(network, request, request.path_params["media_id"])
    network.delete_media(request.path_params["media_id"])
    return json_response(200, {"success": True})


def _download_media(network: WhatsAppNetwork, request: Request) -> Response:
    """Like Meta's: the bearer token is required; an expired or forged link is a bare 404."""
    if network.take_fault_count("fail_next_media_downloads"):
        return Response(status=500, body=b"Internal Server Error", content_type="text/plain")
    media_id = request.query.get("mid", "")
    number, stored = _owned_media(network, request, media_id)
    if not download_url_is_valid(
        media_id=media_id,
        expires=request.query.get("ext", ""),
        signature=request.query.get("hash", ""),
        secret=number.app_secret,
    ):
        return Response(status=404, body=b"URL signature expired", content_type="text/plain")
    return Response(status=200, body=stored.content, content_type=stored.mime_type)


def _get_message_templates(network: WhatsAppNetwork, request: Request) -> Response:
    """`GET /{waba-id}/message_templates`, with Meta's `limit`, `after` and `status` filters."""
    waba_id = _authorize_account(network, request)
    limit = request.query.get("limit", "25")
    with network.state.lock:
        page = template_page(
            network.templates(waba_id),
            limit=min(int(limit), 1000) if limit.isdigit() and int(limit) > 0 else 25,
            after=request.query.get("after"),
            status=request.query.get("status"),
        )
    return json_response(200, page)


def _unknown_object(network: WhatsAppNetwork, request: Request) -> Response:
    segments = [s for s in request.path.split("/") if s]
    if segments and segments[0].startswith("v") and segments[0][1:2].isdigit():
        segments = segments[1:]
    raise RequestRejected(unknown_object(object_id=segments[0] if segments else "", method=request.method))


def _authorize(network: WhatsAppNetwork, request: Request, *, phone_number_id: str) -> BusinessNumber:
    """Meta checks the token before it looks the object up; a token of another number cannot see it."""
    token = _valid_token(network, request)
    number = network.config.business_number(phone_number_id)
    if number is None or number.access_token != token:
        raise RequestRejected(unknown_object(object_id=phone_number_id, method=request.method))
    return number


def _authorize_account(network: WhatsAppNetwork, request: Request) -> str:
    """The WhatsApp Business Account in the path, if the token is valid and belongs to one of its numbers."""
    token = _valid_token(network, request)
    waba_id = request.path_params["waba_id"]
    if not any(n.waba_id == waba_id and n.access_token == token for n in network.config.business_numbers):
        raise RequestRejected(unknown_object(object_id=waba_id, method=request.method))
    return waba_id


def _valid_token(network: WhatsAppNetwork, request: Request) -> str:
    """Every Graph API call's first check: a token Meta issued, and not revoked since."""
    token = _access_token(request)
    if not token or all(token != n.access_token for n in network.config.business_numbers):
        raise RequestRejected(invalid_access_token())
    if network.token_is_revoked(token):
        raise RequestRejected(session_invalidated())
    return token


def _access_token(request: Request) -> str | None:
    scheme, _, token = (request.headers.get("Authorization") or "").strip().partition(" ")
    if scheme.lower() in _TOKEN_SCHEMES and token.strip():
        return token.strip()
    return request.query.get("access_token")


def _error_response(error: GraphError, *, retry_after: int | None = None) -> Response:
    fbtrace_id = new_fbtrace_id()
    headers = [("x-fb-trace-id", fbtrace_id)]
    if retry_after is not None:
        headers.append(("Retry-After", str(retry_after)))
    if error.http_status == 401:
        headers.append(("WWW-Authenticate", f'OAuth "Facebook Platform" "invalid_token" "{error.message}"'))
    return json_response(error.http_status, error.body(fbtrace_id=fbtrace_id), headers=tuple(headers))
