"""Media as Meta serves it: upload, `GET /{media-id}`, a download URL that expires and needs the token, delete.

- `POST /{phone-number-id}/media` (multipart: `messaging_product`, `file`, `type`) checks the type against Meta's
  table and against the file's first bytes, and the size; a mismatch or an unsupported type is 131053.
- `GET /{media-id}` answers `{messaging_product, url, mime_type, sha256, file_size, id}`. The URL works for
  `media_url_ttl_seconds` (Meta: 5 minutes) and only with the same bearer token; after that it answers 404.
- Files a customer sends from the phone page are stored here too, under the business number they wrote to.
- A message may name its file by `link` instead of id: Meta accepts the send at once, fetches the link, and reports
  a link it cannot use (unreachable, an HTTP error, a wrong or unsupported type, too big) by a `failed` status
  with 131053. The emulator fetches what it can reach the same way.

Meta's own checks are played here independently of the app's (it must not be able to fool its own test double).
"""

import base64
import hashlib
import hmac
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from channels_whatsapp.emulator.errors import GraphError, RequestRejected, invalid_parameter, unknown_object

MB = 1024 * 1024
DOWNLOAD_PATH = "/whatsapp_business/attachments/"
# M:business-phone-numbers/media "Supported media types": the type, its magic number and its size limit.
_JPEG, _PNG, _WEBP = (b"\xff\xd8\xff",), (b"\x89PNG",), (b"RIFF",)
_ISO = ("ftyp",)  # at offset 4
_OLE2, _ZIP = (b"\xd0\xcf\x11\xe0",), (b"PK\x03\x04",)
SUPPORTED_TYPES: dict[str, tuple[tuple, int]] = {
    "image/jpeg": (_JPEG, 5 * MB),
    "image/png": (_PNG, 5 * MB),
    "image/webp": (_WEBP, 500 * 1024),
    "video/mp4": (_ISO, 16 * MB),
    "video/3gpp": (_ISO, 16 * MB),
    "audio/mp4": (_ISO, 16 * MB),
    "audio/ogg": ((b"OggS",), 16 * MB),
    "audio/mpeg": ((b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"), 16 * MB),
    "audio/aac": ((b"\xff\xf1", b"\xff\xf9", b"ADIF"), 16 * MB),
    "audio/amr": ((b"#!AMR",), 16 * MB),
    "application/pdf": ((b"%PDF-",), 100 * MB),
    "text/plain": ((), 100 * MB),
    "application/msword": (_OLE2, 100 * MB),
    "application/vnd.ms-excel": (_OLE2, 100 * MB),
    "application/vnd.ms-powerpoint": (_OLE2, 100 * MB),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (_ZIP, 100 * MB),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (_ZIP, 100 * MB),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (_ZIP, 100 * MB),
}
# Which message type may carry a file of which type (WebP only as a sticker).
TYPE_FAMILIES = {
    "image": ("image/jpeg", "image/png"),
    "sticker": ("image/webp",),
    "video": ("video/mp4", "video/3gpp"),
    "audio": ("audio/mp4", "audio/ogg", "audio/mpeg", "audio/aac", "audio/amr"),
    "document": tuple(t for t in SUPPORTED_TYPES if t.startswith(("application/", "text/"))),
}
MEDIA_MESSAGE_TYPES = tuple(TYPE_FAMILIES)
# Meta: inbound media over 100 MB never arrives; the message comes with 131052 instead.
MAX_INBOUND_BYTES = 100 * MB
LINK_FETCH_TIMEOUT_SECONDS = 10


class LinkUnusable(Exception):
    """Meta could not make a file of a media message's `link`; the message fails with 131053."""


@dataclass(slots=True, kw_only=True)
class StoredMedia:
    id: str
    phone_number_id: str
    content: bytes
    mime_type: str
    filename: str | None
    created_at: float

    @property
    def sha256(self) -> str:
        return base64.b64encode(hashlib.sha256(self.content).digest()).decode()


def new_media_id() -> str:
    """Meta's media ids are long decimal numbers."""
    return str(10**15 + secrets.randbelow(9 * 10**15))


def base_type(mime_type: str) -> str:
    return mime_type.split(";", 1)[0].strip().lower()


def media_upload_error(details: str) -> GraphError:
    return GraphError(http_status=400, code=131053, message="(#131053) Media upload error", details=details)


def media_download_error(details: str) -> dict:
    """The `errors[]` entry of an inbound message whose file Meta could not take (131052)."""
    return {
        "code": 131052,
        "title": "Media download error",
        "message": "Media download error",
        "error_data": {"details": details},
    }


def check_file(*, content: bytes, mime_type: str) -> None:
    """Meta's checks on a file: a supported type, bytes that are that type, not over its limit."""
    mime_type = base_type(mime_type)
    if mime_type not in SUPPORTED_TYPES:
        raise RequestRejected(media_upload_error(f"Media type {mime_type or '(none)'} is not supported."))
    signatures, limit = SUPPORTED_TYPES[mime_type]
    if not content:
        raise RequestRejected(media_upload_error("The file is empty."))
    head = content[:16]
    matches = (
        b"\x00" not in content[:512]
        if not signatures
        else any((head[4:8] == s.encode()) if isinstance(s, str) else head.startswith(s) for s in signatures)
    )
    if not matches:
        raise RequestRejected(media_upload_error(f"Mismatched MIME type: the file is not {mime_type}."))
    if len(content) > limit:
        raise RequestRejected(media_upload_error(f"File of {len(content)} bytes exceeds the {limit}-byte limit."))


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadRequest:
    content: bytes
    mime_type: str
    filename: str | None


def parse_upload(*, content_type: str, body: bytes) -> UploadRequest:
    """The multipart form of `POST /{phone-number-id}/media`, read with the standard library's MIME parser."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise RequestRejected(invalid_parameter("The request must be multipart/form-data."))
    document = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    fields: dict[str, str] = {}
    upload = None
    for part in document.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name == "file":
            upload = part
        elif name:
            fields[name] = (part.get_payload(decode=True) or b"").decode(errors="replace")
    if fields.get("messaging_product") != "whatsapp":
        raise RequestRejected(invalid_parameter("The parameter messaging_product is required."))
    if upload is None:
        raise RequestRejected(invalid_parameter("The parameter file is required."))
    mime_type = base_type(fields.get("type") or upload.get_content_type())
    return UploadRequest(
        content=upload.get_payload(decode=True) or b"", mime_type=mime_type, filename=upload.get_filename()
    )


def fetch_link(*, url: str, message_type: str) -> UploadRequest:
    """The file at a media message's `link`, checked as an upload is; raises LinkUnusable with Meta's kind of reason."""
    largest = max(SUPPORTED_TYPES[t][1] for t in TYPE_FAMILIES[message_type])
    request = urllib.request.Request(url, headers={"User-Agent": "facebookexternalua"})
    try:
        with urllib.request.urlopen(request, timeout=LINK_FETCH_TIMEOUT_SECONDS) as response:
            content = response.read(largest + 1)
            mime_type = base_type(response.headers.get_content_type() or "")
    except urllib.error.HTTPError as error:
        raise LinkUnusable(
            f"Downloading media from weblink failed with http code {error.code}, status message {error.reason}"
        ) from error
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise LinkUnusable(f"Downloading media from weblink failed: {getattr(error, 'reason', error)}") from error
    if mime_type not in TYPE_FAMILIES[message_type]:
        raise LinkUnusable(f"Media type {mime_type or '(none)'} is not supported for a {message_type} message.")
    try:
        check_file(content=content, mime_type=mime_type)
    except RequestRejected as refusal:
        raise LinkUnusable(refusal.error.details or refusal.error.message) from refusal
    return UploadRequest(content=content, mime_type=mime_type, filename=PurePosixPath(urlsplit(url).path).name or None)


def signed_download_url(*, base_url: str, media: StoredMedia, secret: str, ttl_seconds: float) -> str:
    expires = int(time.time() + ttl_seconds)
    signature = _signature(media_id=media.id, expires=expires, secret=secret)
    return f"{base_url}{DOWNLOAD_PATH}?mid={media.id}&ext={expires}&hash={signature}"


def download_url_is_valid(*, media_id: str, expires: str, signature: str, secret: str) -> bool:
    if not expires.isdigit() or int(expires) < time.time():
        return False
    return hmac.compare_digest(signature, _signature(media_id=media_id, expires=int(expires), secret=secret))


def _signature(*, media_id: str, expires: int, secret: str) -> str:
    return hmac.new(secret.encode(), f"{media_id}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]


def media_not_found(media_id: str, method: str = "GET") -> RequestRejected:
    return RequestRejected(unknown_object(object_id=media_id, method=method))
