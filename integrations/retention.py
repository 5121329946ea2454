"""What outbound webhooks remove under retention and on a customer's erasure; registered at start-up."""

from integrations.services import erase_customer_deliveries, remove_delivery_payloads
from retention.registry import ErasureRequest, ErasureStep, RetentionSweep


def _erase(request: ErasureRequest) -> dict[str, int]:
    return {"integration_payloads": erase_customer_deliveries(request)}


ERASURE_STEP = ErasureStep(
    name="integrations",
    removes=("the data of every outbound webhook delivery about them (their name, number, messages, cases)",),
    keeps=("each delivery's row and envelope: event id, type, time, subscriber, state and attempts",),
    erase=_erase,
)
RETENTION_SWEEP = RetentionSweep(
    name="integration_payloads", period="integration_payloads", remove_batch=remove_delivery_payloads
)
