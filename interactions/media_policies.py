"""What a file really is (its magic numbers, not the name or type it came with) and whether it may be sent or kept.

A channel states its limits as `MediaRule`s (kinds, types, sizes); the decisions here are pure functions over
those rules and the file's first bytes, so the API, the services and the tests all ask the same questions.
"""

import mimetypes
from dataclasses import dataclass
from pathlib import PurePath

SNIFF_BYTES = 64

# Kinds whose body is one file; text and the other kinds carry none.
MEDIA_KINDS = ("image", "video", "audio", "document", "sticker")

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office: .doc, .xls, .ppt
_ZIP = b"PK\x03\x04"  # Office Open XML: .docx, .xlsx, .pptx


def _is_jpeg(head: bytes) -> bool:
    return head.startswith(b"\xff\xd8\xff")


def _is_png(head: bytes) -> bool:
    return head.startswith(b"\x89PNG\r\n\x1a\n")


def _is_gif(head: bytes) -> bool:
    return head[:6] in (b"GIF87a", b"GIF89a")


def _is_webp(head: bytes) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _is_iso_media(head: bytes) -> bool:
    """MP4, M4A and 3GPP share the ISO base media container: an `ftyp` box first."""
    return head[4:8] == b"ftyp"


def _is_ogg(head: bytes) -> bool:
    return head.startswith(b"OggS")


def _is_mpeg_audio(head: bytes) -> bool:
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


def _is_aac(head: bytes) -> bool:
    return head.startswith(b"ADIF") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0)


def _is_amr(head: bytes) -> bool:
    return head.startswith(b"#!AMR")


def _is_webm(head: bytes) -> bool:
    return head.startswith(b"\x1a\x45\xdf\xa3")


def _is_pdf(head: bytes) -> bool:
    return head.startswith(b"%PDF-")


def _is_plain_text(head: bytes) -> bool:
    return b"\x00" not in head


_SIGNATURES = {
    "image/jpeg": _is_jpeg,
    "image/png": _is_png,
    "image/gif": _is_gif,
    "image/webp": _is_webp,
    "video/mp4": _is_iso_media,
    "video/3gpp": _is_iso_media,
    "audio/mp4": _is_iso_media,
    "audio/3gpp": _is_iso_media,
    "audio/ogg": _is_ogg,
    "audio/opus": _is_ogg,
    "audio/mpeg": _is_mpeg_audio,
    "audio/aac": _is_aac,
    "audio/amr": _is_amr,
    "audio/webm": _is_webm,
    "video/webm": _is_webm,
    "application/pdf": _is_pdf,
    "application/msword": lambda head: head.startswith(_OLE2),
    "application/vnd.ms-excel": lambda head: head.startswith(_OLE2),
    "application/vnd.ms-powerpoint": lambda head: head.startswith(_OLE2),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": lambda head: head.startswith(_ZIP),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": lambda head: head.startswith(_ZIP),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": lambda head: head.startswith(_ZIP),
    "text/plain": _is_plain_text,
}
# The types a browser can show in the page without risk; everything else is only ever downloaded.
INLINE_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "video/mp4",
        "video/3gpp",
        "video/webm",
        "audio/mp4",
        "audio/3gpp",
        "audio/ogg",
        "audio/opus",
        "audio/mpeg",
        "audio/aac",
        "audio/amr",
        "audio/webm",
    }
)
# What each inline kind must really be to be shown as that kind (documents may be anything).
_SHOWN_AS = {
    "image": ("image/",),
    "sticker": ("image/",),
    "video": ("video/",),
    "audio": ("audio/", "video/mp4", "video/webm"),  # a voice note in an MP4 or WebM container is still audio
}


# Names browsers and phones use for the types above.
_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "audio/x-m4a": "audio/mp4",
    "audio/m4a": "audio/mp4",
    "audio/mp3": "audio/mpeg",
    "audio/x-mp3": "audio/mpeg",
    "audio/x-aac": "audio/aac",
    "audio/3gpp": "audio/3gpp",
    "video/3gp": "video/3gpp",
}


# The extensions a file of each checked type may carry, the usual one first.
_EXTENSIONS = {
    "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "image/png": (".png",),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "video/mp4": (".mp4", ".m4v"),
    "video/3gpp": (".3gp", ".3gpp"),
    "video/webm": (".webm",),
    "audio/mp4": (".m4a", ".mp4"),
    "audio/3gpp": (".3gp", ".3gpp"),
    "audio/ogg": (".ogg", ".oga", ".opus"),
    "audio/opus": (".opus", ".ogg"),
    "audio/mpeg": (".mp3",),
    "audio/aac": (".aac",),
    "audio/amr": (".amr",),
    "audio/webm": (".weba", ".webm"),
    "application/pdf": (".pdf",),
    "application/msword": (".doc",),
    "application/vnd.ms-excel": (".xls",),
    "application/vnd.ms-powerpoint": (".ppt",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (".pptx",),
    "text/plain": (".txt", ".text", ".log", ".csv"),
}


MAX_FILENAME_LENGTH = 255


def filename_for_type(filename: str, mime_type: str) -> str:
    """The name a file is kept and served under: the sender's, with an extension its checked type allows.

    `x.html` holding a PDF becomes `x.pdf`: a browser or desktop opening the download goes by the extension.
    """
    extensions = _EXTENSIONS.get(normalise_type(mime_type)) or (
        mimetypes.guess_extension(normalise_type(mime_type), strict=True) or ".bin",
    )
    name = PurePath(filename).name if filename else "file"
    stem, suffix = name.removesuffix(PurePath(name).suffix) or "file", PurePath(name).suffix
    if suffix.lower() not in extensions:
        suffix = extensions[0]
    return stem[: MAX_FILENAME_LENGTH - len(suffix)] + suffix


def normalise_type(mime_type: str) -> str:
    """`audio/ogg; codecs=opus` → `audio/ogg`; `audio/x-m4a` → `audio/mp4`."""
    base = mime_type.split(";", 1)[0].strip().lower()
    return _ALIASES.get(base, base)


def sniff_media_type(head: bytes) -> str | None:
    """The type the bytes declare themselves to be, where their signature is unambiguous."""
    for mime_type in ("image/jpeg", "image/png", "image/gif", "image/webp", "audio/ogg", "application/pdf"):
        if _SIGNATURES[mime_type](head):
            return mime_type
    if _is_iso_media(head):
        brand = head[8:12]
        if brand.startswith(b"3g"):
            return "video/3gpp"
        return "audio/mp4" if brand in (b"M4A ", b"M4B ") else "video/mp4"
    if _is_amr(head):
        return "audio/amr"
    if _is_mpeg_audio(head) and not _is_aac(head):
        return "audio/mpeg"
    return None


def bytes_match_type(head: bytes, mime_type: str) -> bool:
    """True when the file's first bytes are what `mime_type` says; unknown types never match."""
    signature = _SIGNATURES.get(normalise_type(mime_type))
    return signature is not None and signature(head)


def is_animated_webp(head: bytes) -> bool:
    """An extended WebP (VP8X chunk) with the animation flag set; static stickers have a lower size limit."""
    return _is_webp(head) and head[12:16] == b"VP8X" and len(head) > 20 and bool(head[20] & 0x02)


@dataclass(frozen=True, slots=True, kw_only=True)
class MediaRule:
    """One kind a channel can send: its file types, and the largest file it takes."""

    kind: str
    mime_types: frozenset[str]
    max_bytes: int
    formats: str  # for people: "JPEG or PNG"
    max_static_bytes: int | None = None  # stickers: a static one must be smaller than an animated one


@dataclass(frozen=True, slots=True, kw_only=True)
class MediaDecision:
    kind: str = ""
    mime_type: str = ""
    refusal: str = ""


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


def outbound_media_decision(
    *, declared_type: str, head: bytes, size: int, rules: tuple[MediaRule, ...], channel_label: str
) -> MediaDecision:
    """Which kind a file goes as, or why the channel would refuse it: by what its bytes are, then by size."""
    declared = normalise_type(declared_type)
    mime_type = declared if declared and bytes_match_type(head, declared) else sniff_media_type(head)
    if mime_type == "video/mp4" and declared.startswith("audio/"):
        mime_type = "audio/mp4"  # an M4A: the same container, and only its tracks say it holds no video
    if mime_type is None:
        if declared and declared in _SIGNATURES:
            return MediaDecision(refusal=f"The file says it is {declared}, but its contents are not.")
        return MediaDecision(refusal=_unsupported(declared or "of an unknown type", rules, channel_label))
    rule = next((rule for rule in rules if mime_type in rule.mime_types), None)
    if rule is None:
        return MediaDecision(refusal=_unsupported(mime_type, rules, channel_label))
    limit = rule.max_bytes
    if rule.max_static_bytes is not None and not is_animated_webp(head):
        limit = rule.max_static_bytes
    if size == 0:
        return MediaDecision(refusal="The file is empty.")
    if size > limit:
        return MediaDecision(
            refusal=f"The {rule.kind} is {human_size(size)}; the largest "
            f"{'static ' if limit != rule.max_bytes else ''}{rule.kind} sent on {channel_label} is {human_size(limit)}."
        )
    return MediaDecision(kind=rule.kind, mime_type=mime_type)


def _unsupported(what: str, rules: tuple[MediaRule, ...], channel_label: str) -> str:
    accepted = "; ".join(f"{rule.kind}s: {rule.formats}" for rule in rules)
    return f"This file ({what}) cannot be sent on {channel_label}. Accepted are {accepted}."


def inbound_media_refusal(*, kind: str, declared_type: str, head: bytes, size: int, max_bytes: int) -> str:
    """Why a received file is not kept, or "" when it is: it must be what it claims, and not too large."""
    declared = normalise_type(declared_type)
    if size == 0:
        return "The file is empty."
    if size > max_bytes:
        return f"The file is {human_size(size)}, over the {human_size(max_bytes)} we keep."
    shown_as = _SHOWN_AS.get(kind)
    if shown_as is not None and not declared.startswith(shown_as):
        return f"A {kind} was announced, but the file is {declared or 'of no stated type'}."
    if declared in _SIGNATURES and not bytes_match_type(head, declared):
        return f"The file says it is {declared}, but its contents are not."
    if shown_as is not None and declared not in _SIGNATURES:
        return f"{declared} files cannot be shown here."
    return ""


def served_type(mime_type: str) -> tuple[str, bool]:
    """The Content-Type to serve a stored file with, and whether it may be shown inline."""
    mime_type = normalise_type(mime_type)
    if mime_type in INLINE_TYPES:
        return mime_type, True
    return (mime_type if mime_type in _SIGNATURES else "application/octet-stream"), False


MAX_MEDIA_DOWNLOAD_ATTEMPTS = 5


def media_download_retry_delay(*, attempt: int) -> float | None:
    """Seconds before trying a failed download again (2, 4, 8, 16), or None once it is time to give up.

    Meta keeps a received media id for 7 days, so a few minutes of retries lose nothing.
    """
    if attempt >= MAX_MEDIA_DOWNLOAD_ATTEMPTS:
        return None
    return float(2**attempt)
