"""Business numbers' secrets are encrypted in the database, with keys that can be rotated (on PostgreSQL)."""

import json
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core import checks
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from channels_whatsapp.models import BusinessNumber
from interactions.encrypted_fields import UnreadableSecret

OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()
SECRETS = {"access_token": "EAAG-plain-access-token", "app_secret": "plain-app-secret", "verify_token": "plain-verify"}


def stored_columns(number: BusinessNumber) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token, app_secret, verify_token FROM channels_whatsapp_businessnumber WHERE id = %s",
            [number.pk],
        )
        return dict(zip(SECRETS, cursor.fetchone(), strict=True))


@pytest.mark.django_db
def test_secrets_are_stored_encrypted_and_read_back_plain(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]

    number = BusinessNumber.objects.create(phone_number_id="301122334455667", **SECRETS)

    stored = stored_columns(number)
    for name, plain in SECRETS.items():
        assert plain not in stored[name]
        assert Fernet(OLD_KEY).decrypt(stored[name].encode()).decode() == plain
    reread = BusinessNumber.objects.get(pk=number.pk)
    assert {name: getattr(reread, name) for name in SECRETS} == SECRETS
    assert "EAAG" not in repr(reread) and "EAAG" not in str(reread)


@pytest.mark.django_db
def test_an_encrypted_column_cannot_be_searched(settings):
    with pytest.raises(FieldError):
        list(BusinessNumber.objects.filter(access_token=SECRETS["access_token"]))


@pytest.mark.django_db
def test_rotation_re_encrypts_with_the_new_key_so_the_old_one_can_be_dropped(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    number = BusinessNumber.objects.create(phone_number_id="301122334455667", **SECRETS)
    before = stored_columns(number)

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert BusinessNumber.objects.get(pk=number.pk).access_token == SECRETS["access_token"]  # both keys read
    output = StringIO()
    call_command("rotate_encryption_keys", stdout=output)

    assert output.getvalue().startswith("re-encrypted 1 rows")
    after = stored_columns(number)
    assert all(after[name] != before[name] for name in SECRETS)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert BusinessNumber.objects.get(pk=number.pk).app_secret == SECRETS["app_secret"]
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    with pytest.raises(UnreadableSecret):
        BusinessNumber.objects.get(pk=number.pk).access_token  # noqa: B018


@pytest.mark.django_db
def test_rotation_after_a_key_was_dropped_rotates_the_rest_and_names_what_it_cannot_read(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    lost = BusinessNumber.objects.create(phone_number_id="301122334455667", **SECRETS)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    kept = BusinessNumber.objects.create(phone_number_id="301122334455668", **SECRETS)
    newest = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [newest, NEW_KEY]
    lost_before, kept_before = stored_columns(lost), stored_columns(kept)

    output, errors = StringIO(), StringIO()
    with pytest.raises(CommandError, match="3 secrets were left as they are"):
        call_command("rotate_encryption_keys", stdout=output, stderr=errors)

    assert output.getvalue().startswith("re-encrypted 1 rows")
    assert f"channels_whatsapp.BusinessNumber {lost.pk}: access_token cannot be decrypted" in errors.getvalue()
    assert stored_columns(lost) == lost_before
    settings.FIELD_ENCRYPTION_KEYS = [newest]
    assert stored_columns(kept) != kept_before
    assert BusinessNumber.objects.get(pk=kept.pk).verify_token == SECRETS["verify_token"]


@pytest.mark.django_db
def test_a_row_whose_secret_no_key_opens_still_loads_and_saves_and_only_reading_that_secret_fails(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    number = BusinessNumber.objects.create(phone_number_id="301122334455667", **SECRETS)
    before = stored_columns(number)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]

    loaded = BusinessNumber.objects.get(pk=number.pk)
    loaded.display_phone_number = "+1 555 010 0300"
    loaded.save()
    loaded.app_secret = "typed-again"
    loaded.save(update_fields=["app_secret"])

    assert stored_columns(number)["access_token"] == before["access_token"]  # kept, not lost
    reread = BusinessNumber.objects.get(pk=number.pk)
    assert (reread.display_phone_number, reread.app_secret) == ("+1 555 010 0300", "typed-again")
    with pytest.raises(UnreadableSecret, match="restore the key"):
        reread.access_token  # noqa: B018


@pytest.mark.django_db
def test_dumpdata_writes_the_stored_tokens_never_the_secrets_and_loaddata_reads_them_back(settings, tmp_path):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    BusinessNumber.objects.create(phone_number_id="301122334455667", **SECRETS)
    dump = tmp_path / "numbers.json"

    call_command("dumpdata", "channels_whatsapp.BusinessNumber", output=str(dump), verbosity=0)

    dumped = dump.read_text()
    assert all(plain not in dumped for plain in SECRETS.values())
    fields = json.loads(dumped)[0]["fields"]
    assert {name: Fernet(OLD_KEY).decrypt(fields[name].encode()).decode() for name in SECRETS} == SECRETS
    BusinessNumber.objects.all().delete()
    call_command("loaddata", str(dump), verbosity=0)
    reread = BusinessNumber.objects.get(phone_number_id="301122334455667")
    assert {name: getattr(reread, name) for name in SECRETS} == SECRETS


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_plain_secrets_and_its_reverse_decrypts_them():
    executor = MigrationExecutor(connection)
    before = ("channels_whatsapp", "0004_delivery_newest_event_at")
    encrypted = ("channels_whatsapp", "0005_business_number_secrets_encrypted")
    executor.migrate([before])
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO channels_whatsapp_businessnumber (phone_number_id, display_phone_number, waba_id, "
                "access_token, app_secret, verify_token, messages_per_second, is_active, created_at, updated_at) "
                "VALUES ('301122334455667', '', '', %s, %s, %s, 80, true, now(), now()) RETURNING id",
                list(SECRETS.values()),
            )
            number = BusinessNumber(pk=cursor.fetchone()[0])
        executor = MigrationExecutor(connection)
        executor.migrate([encrypted])

        assert all(stored_columns(number)[name] != plain for name, plain in SECRETS.items())
        assert BusinessNumber.objects.get(pk=number.pk).verify_token == SECRETS["verify_token"]

        MigrationExecutor(connection).migrate([before])
        assert stored_columns(number) == SECRETS
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_a_key_that_is_not_a_fernet_key_fails_the_system_check(settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, "not-a-key"]

    errors = checks.run_checks(tags=[checks.Tags.security])

    assert [error.id for error in errors if error.id.startswith("interactions.E1")] == ["interactions.E102"]


def test_the_deploy_check_refuses_the_key_derived_from_the_secret_key(settings):
    derived = checks.run_checks(tags=[checks.Tags.security], include_deployment_checks=True)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    own = checks.run_checks(tags=[checks.Tags.security], include_deployment_checks=True)

    assert "interactions.E103" in {error.id for error in derived}
    assert "interactions.E103" not in {error.id for error in own}
