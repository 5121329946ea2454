"""Message templates as a WhatsApp Business Account holds them: Meta's list (`GET /{waba-id}/message_templates`)
and the checks a `type: template` send goes through, with Meta's template errors.

Every WABA starts with the same realistic set (utility, marketing, authentication; headers, body values,
footers, buttons), including a paused, a disabled and a rejected one. Tests and demos change a template's
status, or delete it, through the control API, as Meta would after a quality review.
"""

import copy
import re

from channels_whatsapp.emulator.errors import GraphError, RequestRejected

PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
SENDABLE_STATUS = "APPROVED"

DEFAULT_TEMPLATES: tuple[dict, ...] = (
    {
        "name": "order_update",
        "language": "en_US",
        "category": "UTILITY",
        "status": "APPROVED",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}", "example": {"header_text": ["8841"]}},
            {
                "type": "BODY",
                "text": "Hi {{1}}, your order {{2}} has shipped and should arrive by {{3}}.",
                "example": {"body_text": [["Ana", "8841", "Friday"]]},
            },
            {"type": "FOOTER", "text": "Reply to this message to talk to our team."},
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "URL", "text": "Track order", "url": "https://shop.example.com/track/{{1}}"},
                    {"type": "QUICK_REPLY", "text": "Talk to an agent"},
                ],
            },
        ],
    },
    {
        "name": "order_update",
        "language": "de",
        "category": "UTILITY",
        "status": "APPROVED",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Bestellung {{1}}"},
            {"type": "BODY", "text": "Hallo {{1}}, Ihre Bestellung {{2}} ist unterwegs und kommt bis {{3}} an."},
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "URL", "text": "Sendung verfolgen", "url": "https://shop.example.com/track/{{1}}"}
                ],
            },
        ],
    },
    {
        "name": "follow_up",
        "language": "en_US",
        "category": "UTILITY",
        "status": "APPROVED",
        "components": [
            {
                "type": "BODY",
                "text": "Hi {{1}}, we are following up on your request about {{2}}. "
                "Reply to this message to continue the conversation.",
            },
            {
                "type": "BUTTONS",
                "buttons": [{"type": "QUICK_REPLY", "text": "Yes, please"}, {"type": "QUICK_REPLY", "text": "No"}],
            },
        ],
    },
    {
        "name": "case_update",
        "language": "en_US",
        "category": "UTILITY",
        "status": "APPROVED",
        "components": [
            {"type": "BODY", "text": "Hello {{1}}, your support case {{2}} is now {{3}}."},
            {"type": "FOOTER", "text": "Reply to this message if you need anything else."},
        ],
    },
    {
        "name": "case_comment",
        "language": "en_US",
        "category": "UTILITY",
        "status": "APPROVED",
        "components": [
            {"type": "BODY", "text": "Hello {{1}}, there is a new comment on your support case {{2}}: {{3}}"},
            {"type": "FOOTER", "text": "Reply to this message to answer."},
        ],
    },
    {
        "name": "spring_sale",
        "language": "en_US",
        "category": "MARKETING",
        "status": "APPROVED",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Spring sale"},
            {"type": "BODY", "text": "Hi {{1}}, enjoy {{2}} off everything in our shop until {{3}}."},
            {"type": "FOOTER", "text": "Not interested? Tap Stop promotions."},
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Stop promotions"}]},
        ],
    },
    {
        "name": "verification_code",
        "language": "en_US",
        "category": "AUTHENTICATION",
        "status": "APPROVED",
        "components": [
            {"type": "BODY", "text": "*{{1}}* is your verification code. For your security, do not share this code."},
            {"type": "FOOTER", "text": "This code expires in 10 minutes."},
            {
                "type": "BUTTONS",
                "buttons": [
                    {
                        "type": "URL",
                        "text": "Copy code",
                        "url": "https://www.whatsapp.com/otp/code/?otp_type=COPY_CODE&code=otp{{1}}",
                    }
                ],
            },
        ],
    },
    {
        "name": "holiday_hours",
        "language": "en_US",
        "category": "UTILITY",
        "status": "PAUSED",
        "components": [{"type": "BODY", "text": "Our support team is away until {{1}}. We will answer then."}],
    },
    {
        "name": "welcome_offer",
        "language": "en_US",
        "category": "MARKETING",
        "status": "DISABLED",
        "components": [{"type": "BODY", "text": "Welcome {{1}}! Here is 10% off your first order."}],
    },
    {
        "name": "loyalty_points",
        "language": "en_US",
        "category": "MARKETING",
        "status": "REJECTED",
        "rejected_reason": "PROMOTIONAL",
        "components": [{"type": "BODY", "text": "You have {{1}} points. Spend them now!"}],
    },
)


def default_templates(waba_id: str) -> list[dict]:
    """A fresh copy per WABA, with ids that look like Meta's."""
    templates = copy.deepcopy(list(DEFAULT_TEMPLATES))
    for position, template in enumerate(templates, start=1):
        template["id"] = f"{waba_id[-6:]}{position:09d}"
        template["parameter_format"] = "POSITIONAL"
    return templates


def _template_error(code: int, title: str, details: str) -> GraphError:
    return GraphError(http_status=400, code=code, message=f"(#{code}) {title}", details=details)


def _count(text: str) -> int:
    return max((int(number) for number in PLACEHOLDER.findall(text)), default=0)


def _component(template: dict, kind: str) -> dict:
    return next((c for c in template["components"] if c["type"] == kind), {})


def _parameters(sent: dict, kind: str, index: int | None = None) -> list[dict]:
    for component in sent.get("components") or []:
        if str(component.get("type", "")).lower() != kind:
            continue
        if index is not None and str(component.get("index")) != str(index):
            continue
        return component.get("parameters") or []
    return []


def _text_of(parameter: dict) -> str:
    return str(parameter.get("text", ""))


def resolve_template(templates: list[dict], sent: dict) -> tuple[dict, str]:
    """The approved template a send names, and its text as the customer's phone shows it; Meta's errors else."""
    name, language = sent["name"], sent["language"]["code"]
    template = next((t for t in templates if t["name"] == name and t["language"] == language), None)
    if template is None or template["status"] in ("REJECTED", "PENDING", "IN_APPEAL"):
        raise RequestRejected(
            _template_error(
                132001,
                "Template name does not exist in the translation",
                f"template name ({name}) does not exist in {language}",
            )
        )
    if template["status"] == "PAUSED":
        raise RequestRejected(
            _template_error(
                132015,
                "Template is Paused",
                "Cannot send message as the template has been paused due to low quality.",
            )
        )
    if template["status"] == "DISABLED":
        raise RequestRejected(
            _template_error(
                132016,
                "Template is disabled",
                "Template has been paused too many times due to low quality and is now permanently disabled.",
            )
        )
    header, body, footer = (_component(template, kind) for kind in ("HEADER", "BODY", "FOOTER"))
    parts = [("header", header.get("text", ""), None), ("body", body.get("text", ""), None)]
    for index, button in enumerate(_component(template, "BUTTONS").get("buttons", [])):
        parts.append(("button", button.get("url", ""), index))
    filled = {}
    for kind, text, index in parts:
        given = _parameters(sent, kind, index)
        expected = _count(text)
        if len(given) != expected:
            where = kind if index is None else f"button at index {index}"
            raise RequestRejected(
                _template_error(
                    132000,
                    "Number of parameters does not match the expected number of params",
                    f"{where}: number of localizable_params ({len(given)}) does not match the expected number "
                    f"of params ({expected})",
                )
            )
        values = [_text_of(parameter) for parameter in given]
        filled[(kind, index)] = PLACEHOLDER.sub(lambda match, v=values: v[int(match.group(1)) - 1], text)
    lines = [filled[("header", None)], filled[("body", None)], footer.get("text", "")]
    buttons = [f"[{b.get('text', '')}]" for b in _component(template, "BUTTONS").get("buttons", [])]
    shown = "\n\n".join(line for line in lines if line)
    return template, shown + ("\n" + " ".join(buttons) if buttons else "")


def template_page(templates: list[dict], *, limit: int, after: str | None, status: str | None) -> dict:
    """Meta's list shape: `data` and cursor `paging`; `after` is the position as a string."""
    chosen = [t for t in templates if status is None or t["status"] == status.upper()]
    start = int(after) if after and after.isdigit() else 0
    page = chosen[start : start + limit]
    answer: dict = {"data": page, "paging": {"cursors": {"before": str(start), "after": str(start + len(page))}}}
    if start + limit < len(chosen):
        answer["paging"]["next"] = f"?limit={limit}&after={start + len(page)}"
    return answer
