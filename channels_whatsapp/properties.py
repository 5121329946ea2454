"""The WhatsApp channel's system properties: the largest file an agent may send, per kind. Meta's limits
(`WHATSAPP_MEDIA_RULES`, from the Cloud API's "Supported media types") are both the defaults and the ceilings: a
cap can be lowered, never raised above what WhatsApp accepts."""

from dataclasses import replace

from channels_whatsapp.media import WHATSAPP_MEDIA_RULES
from interactions.media_policies import MediaRule, human_size
from properties.accessor import current
from properties.registry import Kind, Property

GROUP = "WhatsApp media size caps"
KB = 1024


def _cap(*, meta_bytes: int, what: str) -> Property[int]:
    return Property(
        key=f"whatsapp.max_{what.replace(' ', '_')}_kb",
        label=f"Largest {what}",
        group=GROUP,
        kind=Kind.INTEGER,
        default=meta_bytes // KB,
        unit="KB",
        minimum=1,
        maximum=meta_bytes // KB,
        maximum_reason=f"WhatsApp accepts {what}s of up to {human_size(meta_bytes)}",
        description=f"The largest {what} an agent may send; larger files are refused before they are uploaded.",
    )


_NAMES = {
    "image": "image",
    "video": "video",
    "audio": "audio file",
    "document": "document",
    "sticker": "animated sticker",
}
_RULES = {rule.kind: rule for rule in WHATSAPP_MEDIA_RULES}
MAX_BYTES = {kind: _cap(meta_bytes=rule.max_bytes, what=_NAMES[kind]) for kind, rule in _RULES.items()}
MAX_STATIC_STICKER = _cap(meta_bytes=_RULES["sticker"].max_static_bytes, what="static sticker")

PROPERTIES = (*MAX_BYTES.values(), MAX_STATIC_STICKER)


def capped_media_rules() -> tuple[MediaRule, ...]:
    """WhatsApp's media rules with the sizes the admin set (never above Meta's: the properties' maximum)."""
    rules = []
    for rule in WHATSAPP_MEDIA_RULES:
        capped = replace(rule, max_bytes=current(MAX_BYTES[rule.kind]) * KB)
        if rule.max_static_bytes is not None:
            capped = replace(capped, max_static_bytes=min(current(MAX_STATIC_STICKER) * KB, capped.max_bytes))
        rules.append(capped)
    return tuple(rules)
