"""An erasure holds the customer's lock (their channel user row, the first of the core's lock order) before any
step runs: an inbound STOP or YES cannot commit between consent's delete and the conversations' step."""

import pytest
from django.db import OperationalError, connections

from consent.models import ConsentMethod, ConsentRecord, ConsentStatus
from consent.services import record_consent
from interactions.models import ChannelUser
from interactions.roles import ADMIN
from retention import registry
from retention.registry import ErasureStep
from retention.services import erase_customer
from tests.factories import InteractionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)  # a second connection must see the committed customer


def another_connection_may_lock(channel_user_id: int) -> bool:
    """Asks from a second connection, without waiting: False when the row is held by someone else."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {ChannelUser._meta.db_table} WHERE id = %s FOR UPDATE NOWAIT", [channel_user_id]
            )
            return cursor.fetchone() is not None
    except OperationalError:
        return False
    finally:
        other.close()


def test_the_customer_is_locked_before_consents_step_deletes_anything(monkeypatch):
    customer = InteractionFactory().channel_user
    record_consent(channel_user=customer, status=ConsentStatus.OPTED_OUT, method=ConsentMethod.KEYWORD)
    consent_step = registry._erasure_steps["consent"]
    seen = {}

    def probe_then_erase(request):
        seen["records"] = ConsentRecord.objects.filter(channel_user_id=request.channel_user_id).count()
        seen["another_may_lock"] = another_connection_may_lock(request.channel_user_id)
        return consent_step.erase(request)

    monkeypatch.setitem(
        registry._erasure_steps,
        "consent",
        ErasureStep(name="consent", removes=consent_step.removes, keeps=consent_step.keeps, erase=probe_then_erase),
    )
    assert another_connection_may_lock(customer.pk)  # the probe itself works when nobody holds the row

    erased = erase_customer(channel_user=customer, erased_by=UserFactory(role=ADMIN), reason="Request #77")

    assert registry.erasure_steps()[0].name == "consent"  # it runs before the conversations'
    assert seen == {"records": 1, "another_may_lock": False}
    assert erased.removed["consent_records"] == 1
    assert another_connection_may_lock(customer.pk)  # released with the erasure's transaction
