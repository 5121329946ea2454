"""A template's status or quality, changed by the channel between syncs, applied at once to every account that has
it, and only to those the channel named."""

import pytest
from django.utils import timezone

from interactions.events import TemplateChange
from interactions.models import MessageTemplate
from interactions.services.outbound import ActionRefused
from interactions.services.templates import apply_template_change, sendable_template

pytestmark = pytest.mark.django_db


def synced(account_id: str, *, external_id: str = "77", name: str = "order_update") -> MessageTemplate:
    return MessageTemplate.objects.create(
        channel="whatsapp",
        account_id=account_id,
        external_id=external_id,
        name=name,
        language="en_US",
        category="utility",
        status="approved",
        body="Hi {{1}}",
        synced_at=timezone.now(),
    )


def test_a_pause_applies_to_every_named_account_and_is_refused_for_sending_at_once():
    first, second, elsewhere = synced("1"), synced("2"), synced("3")

    changed = apply_template_change(
        channel="whatsapp",
        change=TemplateChange(
            account_ids=("1", "2"), external_id="77", name="order_update", language="en_US", status="paused"
        ),
    )

    assert sorted(template.pk for template in changed) == [first.pk, second.pk]
    for template in (first, second, elsewhere):
        template.refresh_from_db()
    assert (first.status, second.status, elsewhere.status) == ("paused", "paused", "approved")
    with pytest.raises(ActionRefused, match="is paused"):
        sendable_template(first)


def test_without_the_channels_id_the_template_is_found_by_name_and_language():
    template = synced("1", external_id="")

    apply_template_change(
        channel="whatsapp",
        change=TemplateChange(
            account_ids=("1",), external_id="999", name="order_update", language="en_US", quality="low"
        ),
    )

    template.refresh_from_db()
    assert (template.quality, template.status) == ("low", "approved")  # the status did not change


def test_an_unknown_status_or_quality_is_kept_as_other_and_unknown_and_a_repeat_changes_nothing():
    template = synced("1")
    change = TemplateChange(
        account_ids=("1",), external_id="77", name="order_update", language="en_US", status="odd", quality="odd"
    )

    assert len(apply_template_change(channel="whatsapp", change=change)) == 1
    assert apply_template_change(channel="whatsapp", change=change) == []
    template.refresh_from_db()
    assert (template.status, template.quality) == ("other", "unknown")
