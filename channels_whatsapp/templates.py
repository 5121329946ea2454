"""Message templates in Meta's shapes: the WABA's template list read into the core's TemplateDefinition, and a
core template message written as the `template` object of a send. Only this module reads or writes them."""

from interactions.events import TemplateDefinition
from interactions.models import Message

_HEADER_FORMATS_WE_FILL = {"TEXT", ""}


def template_definitions(document: dict, *, account_ids: list[str]) -> list[TemplateDefinition]:
    """One definition per template and business number: every number of a WABA may send its templates."""
    definitions = []
    for raw in document.get("data") or []:
        if not isinstance(raw, dict) or not raw.get("name") or not raw.get("language"):
            continue
        parts = {"HEADER": {}, "BODY": {}, "FOOTER": {}, "BUTTONS": {}}
        for component in raw.get("components") or []:
            if isinstance(component, dict) and str(component.get("type", "")).upper() in parts:
                parts[str(component["type"]).upper()] = component
        status = str(raw.get("status") or "").lower()
        if parts["HEADER"].get("format", "").upper() not in _HEADER_FORMATS_WE_FILL:
            status = "other"  # media headers are not offered until the workspace can attach media
        buttons = tuple(
            {
                "type": str(button.get("type", "")).lower(),
                "text": str(button.get("text", "")),
                **({"url": str(button["url"])} if button.get("url") else {}),
                **({"phone_number": str(button["phone_number"])} if button.get("phone_number") else {}),
            }
            for button in parts["BUTTONS"].get("buttons") or []
            if isinstance(button, dict)
        )
        for account_id in account_ids:
            definitions.append(
                TemplateDefinition(
                    account_id=account_id,
                    external_id=str(raw.get("id") or ""),
                    name=str(raw["name"]),
                    language=str(raw["language"]),
                    category=str(raw.get("category") or "").lower(),
                    status=status,
                    header=str(parts["HEADER"].get("text") or ""),
                    body=str(parts["BODY"].get("text") or ""),
                    footer=str(parts["FOOTER"].get("text") or ""),
                    buttons=buttons,
                )
            )
    return definitions


def _text_parameters(values: list[str]) -> list[dict]:
    return [{"type": "text", "text": value} for value in values]


def template_object(message: Message) -> dict:
    """The `template` of a send: name, language and a component for each part that has values."""
    template = message.content["template"]
    values = message.content.get("values") or {}
    components = []
    if values.get("header"):
        components.append({"type": "header", "parameters": _text_parameters(values["header"])})
    if values.get("body"):
        components.append({"type": "body", "parameters": _text_parameters(values["body"])})
    for index, button_values in sorted((values.get("buttons") or {}).items(), key=lambda item: int(item[0])):
        components.append(
            {"type": "button", "sub_type": "url", "index": str(index), "parameters": _text_parameters(button_values)}
        )
    body = {"name": template["name"], "language": {"code": template["language"]}}
    if components:
        body["components"] = components
    return body
