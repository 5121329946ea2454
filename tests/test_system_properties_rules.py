"""System properties in one process: checked against their declarations (Meta's limits as ceilings), stored,
audited, read back through the one accessor at once, and still read when the cache is down. Across processes:
tests/test_system_properties.py."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from audit.models import AuditAction, AuditEntry
from interactions.customer_formats import customer_date, customer_time
from interactions.roles import ADMIN
from interactions.services.media import MediaRefused, send_agent_media
from properties.accessor import current, current_by_key
from properties.models import StoredProperty
from properties.registry import SAMPLE_MOMENT, Kind, Property, registered_properties, registered_property
from properties.services import change_property, reset_property
from properties.validation import InvalidPropertyValue, clean_value
from retention.periods import RetentionPeriods, retention_periods
from routing.configuration import routing_configuration
from tests.factories import InteractionFactory, UserFactory, agent, manager
from tests.media_samples import sample

KB = 1024


def property_entries():
    return AuditEntry.objects.filter(object_label__startswith="System property").order_by("pk")


@pytest.mark.parametrize(
    ("key", "meta_limit_kb", "meta_words"),
    [
        ("whatsapp.max_image_kb", 5 * KB, "5 MB"),
        ("whatsapp.max_video_kb", 16 * KB, "16 MB"),
        ("whatsapp.max_audio_file_kb", 16 * KB, "16 MB"),
        ("whatsapp.max_document_kb", 100 * KB, "100 MB"),
        ("whatsapp.max_animated_sticker_kb", 500, "500 KB"),
        ("whatsapp.max_static_sticker_kb", 100, "100 KB"),
    ],
)
def test_a_media_cap_is_metas_limit_and_can_be_lowered_but_never_raised(key, meta_limit_kb, meta_words):
    declared = registered_property(key)

    assert declared.default == declared.maximum == meta_limit_kb
    assert clean_value(declared, str(meta_limit_kb // 2)) == meta_limit_kb // 2
    with pytest.raises(InvalidPropertyValue) as refused:
        clean_value(declared, str(meta_limit_kb + 1))
    assert str(refused.value).endswith(f"at most {meta_limit_kb} KB: WhatsApp accepts {declared.label[8:]}s of up to "
                                       f"{meta_words}.")  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Offer timeout must be a whole number of seconds, without a unit or decimals, e.g. 30."),
        ("30s", "Offer timeout must be a whole number of seconds, without a unit or decimals, e.g. 30."),
        ("2.5", "Offer timeout must be a whole number of seconds, without a unit or decimals, e.g. 30."),
        ("0", "Offer timeout must be at least 1 seconds."),
        ("601", "Offer timeout can be at most 600 seconds."),
        (True, "Offer timeout must be a whole number of seconds."),
    ],
)
def test_a_number_out_of_its_bounds_is_refused_in_words_the_admin_can_act_on(raw, message):
    with pytest.raises(InvalidPropertyValue, match=f"^{message}$".replace(".", r"\.")):
        clean_value(registered_property("routing.offer_timeout_seconds"), raw)


def test_switches_formats_and_choices_are_checked():
    switch = registered_property("interactions.link_previews")
    assert (clean_value(switch, "off"), clean_value(switch, "on"), clean_value(switch, False)) == (False, True, False)
    with pytest.raises(InvalidPropertyValue, match="Choose on or off"):
        clean_value(switch, "maybe")

    date_format = registered_property("interactions.customer_date_format")
    assert SAMPLE_MOMENT.strftime(clean_value(date_format, " %d.%m.%Y ")) == "24.12.2026"
    with pytest.raises(InvalidPropertyValue, match="needs at least one placeholder such as %d"):
        clean_value(date_format, "day month year")

    colour = Property(
        key="test.colour", label="Colour", group="Test", kind=Kind.CHOICE, default="teal", description="",
        choices=(("teal", "Teal"), ("oak", "Oak")),
    )  # fmt: skip
    assert clean_value(colour, "oak") == "oak"
    with pytest.raises(InvalidPropertyValue, match=r"^Choose one of: Teal, Oak\.$"):
        clean_value(colour, "red")


def test_every_declared_default_passes_its_own_check():
    for declared in registered_properties():
        assert clean_value(declared, declared.default) == declared.default, declared.key


@pytest.mark.django_db
def test_a_change_is_read_back_at_once_audited_and_undone_by_a_reset():
    person = UserFactory(role=ADMIN, is_staff=True)
    assert routing_configuration().offer_timeout.total_seconds() == 30

    assert change_property(key="routing.offer_timeout_seconds", value="45", user=person) == 45

    assert routing_configuration().offer_timeout.total_seconds() == 45
    entry = property_entries().get()
    assert (entry.action, entry.user, entry.object_label) == (
        AuditAction.CONFIG_CHANGED,
        person,
        "System property: Offer timeout",
    )
    assert entry.changes == {"routing.offer_timeout_seconds": {"old": 30, "new": 45}}

    change_property(key="routing.offer_timeout_seconds", value=45, user=person)  # the same value: no change
    assert property_entries().count() == 1

    reset_property(key="routing.offer_timeout_seconds", user=person)
    assert current_by_key("routing.offer_timeout_seconds") == 30
    assert not StoredProperty.objects.exists()
    assert property_entries().last().changes == {"routing.offer_timeout_seconds": {"old": 45, "new": 30}}


@pytest.mark.django_db
def test_a_refused_value_stores_and_records_nothing():
    with pytest.raises(InvalidPropertyValue):
        change_property(key="whatsapp.max_image_kb", value="6000")

    assert not StoredProperty.objects.exists()
    assert not property_entries().exists()
    assert current(registered_property("whatsapp.max_image_kb")) == 5 * KB


@pytest.mark.django_db
def test_a_stored_value_a_later_declaration_forbids_gives_way_to_the_default():
    StoredProperty.objects.create(key="whatsapp.max_image_kb", value=9000, changed_at=SAMPLE_MOMENT)

    assert current(registered_property("whatsapp.max_image_kb")) == 5 * KB


@pytest.mark.django_db
def test_with_the_cache_down_a_change_still_takes_effect_and_reads_never_fail(settings, caplog):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    }

    assert current(registered_property("virtual_agent.enabled")) is True
    change_property(key="virtual_agent.enabled", value="off")

    assert current(registered_property("virtual_agent.enabled")) is False
    assert "the cache cannot be read" in caplog.text


@pytest.mark.django_db
def test_a_lowered_media_cap_refuses_a_photo_whatsapp_would_take(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    interaction = InteractionFactory()
    photo = sample("photo.png")
    change_property(key="whatsapp.max_image_kb", value=1)
    assert len(photo) > KB

    with pytest.raises(MediaRefused, match=r"^The image is .*; the largest image sent on WhatsApp is 1 KB\.$"):
        send_agent_media(
            interaction=interaction, author=agent(), upload=SimpleUploadedFile("p.png", photo, "image/png")
        )

    change_property(key="whatsapp.max_image_kb", value=5 * KB)
    upload = SimpleUploadedFile("p.png", photo, "image/png")
    assert send_agent_media(interaction=interaction, author=agent(), upload=upload).kind == "image"


@pytest.mark.django_db
def test_customer_dates_and_times_follow_their_formats():
    assert (customer_date(SAMPLE_MOMENT.date()), customer_time(SAMPLE_MOMENT)) == (
        "Thursday, 24 December 2026",
        "16:30",
    )

    change_property(key="interactions.customer_date_format", value="%d/%m/%Y")
    change_property(key="interactions.customer_time_format", value="%-I:%M %p")

    assert (customer_date(SAMPLE_MOMENT.date()), customer_time(SAMPLE_MOMENT)) == ("24/12/2026", "4:30 PM")


@pytest.mark.django_db
def test_retention_periods_are_typed_and_zero_keeps_forever():
    assert retention_periods() == RetentionPeriods(
        message_bodies=timedelta(days=365),
        media=timedelta(days=90),
        webhook_bodies=timedelta(days=30),
        status_events=timedelta(days=90),
        integration_payloads=timedelta(days=30),
        audit_entries=timedelta(days=730),
    )
    change_property(key="retention.media_days", value=0)
    change_property(key="retention.audit_entries_days", value=3650)

    periods = retention_periods()
    assert (periods.media, periods.audit_entries.days) == (None, 3650)


@pytest.mark.django_db
def test_the_admin_page_lists_each_group_and_an_edit_explains_a_refusal_then_saves():
    person = UserFactory(role=ADMIN, is_staff=True)
    client = Client()
    client.force_login(person)

    page = client.get("/admin/properties/storedproperty/")
    assert page.status_code == 200
    text = page.content.decode()
    for group in ("Routing", "Agent workspace", "Messages to customers", "Retention", "Virtual agent",
                  "WhatsApp media size caps"):  # fmt: skip
        assert f">{group}</h2>" in text
    assert "How long an agent has to accept an offered conversation" in text

    refused = client.post("/admin/properties/storedproperty/whatsapp.max_image_kb/edit/", {"value": "8000"})
    assert refused.status_code == 200
    assert "Largest image can be at most 5120 KB: WhatsApp accepts images of up to 5 MB." in refused.content.decode()
    assert not StoredProperty.objects.exists()

    saved = client.post("/admin/properties/storedproperty/whatsapp.max_image_kb/edit/", {"value": "2048"})
    assert saved.status_code == 302
    assert current_by_key("whatsapp.max_image_kb") == 2048
    assert property_entries().get().user == person
    assert StoredProperty.objects.get().changed_by == person


@pytest.mark.django_db
def test_managers_read_the_properties_agents_not_at_all_and_only_admins_change_them():
    reader, outsider = Client(), Client()
    reader.force_login(manager())
    outsider.force_login(UserFactory(role="agent", is_staff=True))

    assert reader.get("/admin/properties/storedproperty/").status_code == 200
    assert (
        reader.post("/admin/properties/storedproperty/virtual_agent.enabled/edit/", {"value": "off"}).status_code == 403
    )
    assert outsider.get("/admin/properties/storedproperty/").status_code == 403
    assert current_by_key("virtual_agent.enabled") is True
