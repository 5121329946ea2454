"""Message templates: synced from the channel, filled with an agent's or a workflow's values, queued like any
message. Placeholders are positional ({{1}}, {{2}}…) in the header, the body and URL buttons."""

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from interactions.channel_adapters import channel_adapter, registered_channels
from interactions.events import TemplateChange, TemplateDefinition
from interactions.models import MessageTemplate, TemplateCategory, TemplateQuality, TemplateStatus
from interactions.services.outbound import ActionRefused

PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
MAX_PARAMETER_LENGTH = 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateValues:
    """The values for a template's placeholders, in order, per part; URL buttons by their index."""

    header: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    buttons: dict[int, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, raw: object) -> "TemplateValues":
        if raw in (None, ""):
            return cls()
        if not isinstance(raw, dict):
            raise ActionRefused('Template values must be an object: {"header": [...], "body": [...], "buttons": {}}.')

        def values(part: object, where: str) -> tuple[str, ...]:
            if part is None:
                return ()
            if not isinstance(part, list) or not all(isinstance(value, str | int | float) for value in part):
                raise ActionRefused(f"The {where} values must be a list of texts.")
            return tuple(str(value).strip() for value in part)

        buttons = raw.get("buttons") or {}
        # ASCII digits only: "²" passes str.isdigit and then fails int().
        if not isinstance(buttons, dict) or not all(str(index).isascii() and str(index).isdigit() for index in buttons):
            raise ActionRefused('Button values go by the button\'s index: {"0": ["…"]}.')
        return cls(
            header=values(raw.get("header"), "header"),
            body=values(raw.get("body"), "body"),
            buttons={int(index): values(part, f"button {index}") for index, part in buttons.items()},
        )

    def as_json(self) -> dict:
        return {
            "header": list(self.header),
            "body": list(self.body),
            "buttons": {str(index): list(values) for index, values in self.buttons.items()},
        }


def placeholder_count(text: str) -> int:
    numbers = {int(number) for number in PLACEHOLDER.findall(text)}
    return max(numbers, default=0)


def parameter_slots(template: MessageTemplate) -> dict:
    """How many values each part needs: what the composer's form asks for."""
    return {
        "header": placeholder_count(template.header),
        "body": placeholder_count(template.body),
        "buttons": {
            str(index): placeholder_count(button.get("url", ""))
            for index, button in enumerate(template.buttons)
            if placeholder_count(button.get("url", ""))
        },
    }


def _fill(text: str, values: tuple[str, ...]) -> str:
    return PLACEHOLDER.sub(lambda match: values[int(match.group(1)) - 1], text)


def _check_count(where: str, needed: int, values: tuple[str, ...]) -> None:
    if len(values) != needed:
        raise ActionRefused(f"The {where} needs {needed} value(s); {len(values)} were given.")
    for position, value in enumerate(values, start=1):
        if not value:
            raise ActionRefused(f"Fill in value {{{{{position}}}}} of the {where}.")
        if len(value) > MAX_PARAMETER_LENGTH:
            raise ActionRefused(f"Value {{{{{position}}}}} of the {where} is longer than {MAX_PARAMETER_LENGTH}.")


def template_message_content(*, template: MessageTemplate, values: TemplateValues) -> tuple[str, dict]:
    """The message's text (its filled body) and content (what the channel needs and the timeline shows)."""
    slots = parameter_slots(template)
    _check_count("header", slots["header"], values.header)
    _check_count("body", slots["body"], values.body)
    for index, needed in slots["buttons"].items():
        _check_count(f"button {int(index) + 1}", needed, values.buttons.get(int(index), ()))
    buttons = [
        {**button, "url": _fill(button["url"], values.buttons.get(index, ()))} if button.get("url") else dict(button)
        for index, button in enumerate(template.buttons)
    ]
    body = _fill(template.body, values.body)
    content = {
        "template": {
            "id": template.pk,
            "name": template.name,
            "language": template.language,
            "category": template.category,
        },
        "values": values.as_json(),
        "header": _fill(template.header, values.header),
        "body": body,
        "footer": template.footer,
        "buttons": buttons,
    }
    return body, content


def sendable_template(template: MessageTemplate | None) -> MessageTemplate:
    if template is None:
        raise ActionRefused("There is no such template; sync the templates and pick one from the list.")
    if template.status != TemplateStatus.APPROVED:
        raise ActionRefused(
            f"Template {template.name} ({template.language}) is {template.get_status_display().lower()} as of the "
            f"last sync ({template.synced_at:%Y-%m-%d %H:%M} UTC); only approved templates can be sent."
        )
    return template


def approved_templates_for(channel_user) -> list[MessageTemplate]:
    return list(
        MessageTemplate.objects.filter(
            channel=channel_user.channel, account_id=channel_user.account_id, status=TemplateStatus.APPROVED
        )
    )


@transaction.atomic
def save_synced_templates(*, channel: str, definitions: list[TemplateDefinition]) -> int:
    """Upserts what the channel reported; a template gone from a reported account is gone here too."""
    now = timezone.now()
    kept: dict[str, list[int]] = {}
    for definition in definitions:
        template, _ = MessageTemplate.objects.update_or_create(
            channel=channel,
            account_id=definition.account_id,
            name=definition.name,
            language=definition.language,
            defaults={
                "external_id": definition.external_id,
                "category": definition.category
                if definition.category in TemplateCategory.values
                else TemplateCategory.UTILITY,
                "status": definition.status if definition.status in TemplateStatus.values else TemplateStatus.OTHER,
                "header": definition.header,
                "body": definition.body,
                "footer": definition.footer,
                "buttons": list(definition.buttons),
                "synced_at": now,
            },
        )
        kept.setdefault(definition.account_id, []).append(template.pk)
    for account_id, template_ids in kept.items():
        MessageTemplate.objects.filter(channel=channel, account_id=account_id).exclude(pk__in=template_ids).delete()
    return len(definitions)


def sync_message_templates() -> int:
    """Every channel's templates, as the channel has them now. Raises ChannelRequestFailed when one cannot answer."""
    return sum(
        save_synced_templates(channel=channel, definitions=channel_adapter(channel).fetch_message_templates())
        for channel in registered_channels()
    )


@transaction.atomic
def apply_template_change(*, channel: str, change: TemplateChange) -> list[MessageTemplate]:
    """A status or quality the channel reported for a synced template, applied at once (a paused template is
    refused by `sendable_template` from now on, not from the next sync). Returns the templates changed; a template
    not synced yet changes nothing, as the next sync brings it whole."""
    templates = MessageTemplate.objects.select_for_update().filter(channel=channel, account_id__in=change.account_ids)
    by_id = templates.filter(external_id=change.external_id) if change.external_id else templates.none()
    matched = list(by_id) or list(templates.filter(name=change.name, language=change.language))
    values: dict[str, str] = {}
    if change.status is not None:
        values["status"] = change.status if change.status in TemplateStatus.values else TemplateStatus.OTHER
        values["status_reason"] = change.reason[:255]
    if change.quality is not None:
        values["quality"] = change.quality if change.quality in TemplateQuality.values else TemplateQuality.UNKNOWN
    changed = [t for t in matched if any(getattr(t, name) != value for name, value in values.items())]
    for template in changed:
        for name, value in values.items():
            setattr(template, name, value)
    if changed:
        MessageTemplate.objects.bulk_update(changed, list(values))
    return changed
