"""A backlog of stored webhook deliveries, built inside a Django process on the benchmark's own database.

`bench/processing.py` runs this as `python -m bench.backlog <step> <json>` in the stack's environment:
`prepare` seeds the outbound messages the statuses name (INSERT … SELECT, fast), counts the SQL queries of the
real processing task on a sample of each kind of event, stores the backlog as WebhookDelivery rows and publishes
their tasks with no worker running; `verify` counts what the worker made of it. Each prints one JSON line.

The bodies are Meta's shapes, built by the emulator's own envelope code.
"""

import json
import random
import sys
import time
from dataclasses import dataclass

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count, F, Max, Min  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.harness import DISPLAY_PHONE_NUMBER, PHONE_NUMBER_ID  # noqa: E402
from bench.sql_fill import insert_series  # noqa: E402
from bench.worker_without_live_push import app, silence_live_pushes  # noqa: E402
from channels_whatsapp import tasks  # noqa: E402
from channels_whatsapp.emulator.config import BusinessNumber  # noqa: E402
from channels_whatsapp.emulator.envelopes import inbound_message_value, messages_envelope, status_value  # noqa: E402
from channels_whatsapp.emulator.state import ChatMessage, Customer, Direction, MessageStatus  # noqa: E402
from channels_whatsapp.models import WebhookDelivery  # noqa: E402
from interactions.models import ChannelUser, DeliveryStatusEvent, Interaction, Message  # noqa: E402

NUMBER = BusinessNumber(
    phone_number_id=PHONE_NUMBER_ID, display_phone_number=DISPLAY_PHONE_NUMBER, waba_id="1", access_token="",
    app_secret="",
)  # fmt: skip
STATUSES = ("sent", "delivered", "read")
SAMPLE = 60  # events of each kind whose queries are counted


@dataclass(frozen=True, slots=True)
class Event:
    kind: str  # "inbound" or "status"
    body: bytes


def inbound_body(*, wa_id: str, wamid: str, text: str, at: float) -> bytes:
    customer = Customer(wa_id=wa_id, name=f"Customer {wa_id}")
    message = ChatMessage(
        seq=0, wamid=wamid, phone_number_id=PHONE_NUMBER_ID, wa_id=wa_id, direction=Direction.TO_BUSINESS,
        type="text", text=text, body={"body": text}, created_at=at, status=MessageStatus.SENT,
    )  # fmt: skip
    value = inbound_message_value(customer=customer, message=message, number=NUMBER)
    return json.dumps(messages_envelope(number=NUMBER, value=value)).encode()


def status_body(*, wa_id: str, wamid: str, status: str, at: float) -> bytes:
    message = ChatMessage(
        seq=0, wamid=wamid, phone_number_id=PHONE_NUMBER_ID, wa_id=wa_id, direction=Direction.TO_CUSTOMER,
        type="text", text="", created_at=at, status=MessageStatus(status),
    )  # fmt: skip
    value = status_value(message=message, status=status, at=at, billing=status == "sent", conversation=None)
    return json.dumps(messages_envelope(number=NUMBER, value=value)).encode()


def seed_outbound(*, prefix: str, first_wa_id: int, customers: int, messages: int) -> list[tuple[str, str]]:
    """Customers with an open interaction holding `messages` sent messages in all; returns (wa_id, wamid) pairs.
    `prefix` (a few letters) starts the messages' ids and the interactions' numbers."""
    insert_series(
        ChannelUser,
        customers,
        {
            "channel": "'whatsapp'",
            "account_id": f"'{PHONE_NUMBER_ID}'",
            "external_id": f"({first_wa_id} + i)::text",
            "display_name": "'Customer ' || i",
            "last_inbound_at": "now() - interval '1 hour'",
        },
    )
    first_customer = ChannelUser.objects.get(external_id=str(first_wa_id + 1)).pk
    per = messages // customers
    insert_series(
        Interaction,
        customers,
        {
            "number": f"'{prefix.upper()}' || lpad(i::text, 10, '0')",
            "subtype": "'whatsapp'",
            "state": "'work_in_progress'",
            "channel_user_id": f"{first_customer} + i - 1",
            "opened_at": "now() - interval '1 hour'",
            "last_message_at": "now() - interval '1 hour'",
            "revision": str(per),
            "last_sequence": str(per),
        },
    )
    first_interaction = Interaction.objects.get(channel_user_id=first_customer).pk
    insert_series(
        Message,
        customers * per,
        {
            "interaction_id": f"{first_interaction} + (i - 1) / {per}",
            "sequence": f"1 + mod(i - 1, {per})",
            "revision": f"1 + mod(i - 1, {per})",
            "direction": "'outbound'",
            "text": "'reply ' || i",
            "external_id": f"'wamid.{prefix}-' || i",
            "status": "'sent'",
            "sent_at": "now() - interval '1 hour'",
            "accepted_at": "now() - interval '1 hour'",
        },
    )
    return [(str(first_wa_id + 1 + (i - 1) // per), f"wamid.{prefix}-{i}") for i in range(1, customers * per + 1)]


def backlog_events(*, inbound: int, customers: int, outbound: list[tuple[str, str]], shuffled: float,
                   rng: random.Random) -> list[Event]:  # fmt: skip
    """Inbound texts from `customers` new customers and three statuses per outbound message, interleaved at random;
    each message's statuses in order except for a `shuffled` share, whose order is reversed."""
    now = time.time()
    placed: list[tuple[float, Event]] = []
    for index in range(inbound):
        wa_id = str(15550000000 + index % customers)
        body = inbound_body(wa_id=wa_id, wamid=f"wamid.in-{index}", text=f"backlog message {index}", at=now)
        placed.append((index / inbound, Event("inbound", body)))
    for wa_id, wamid in outbound:
        positions = sorted(rng.random() for _ in STATUSES)
        if rng.random() < shuffled:
            positions.reverse()
        for position, status in zip(positions, STATUSES, strict=True):
            placed.append((position, Event("status", status_body(wa_id=wa_id, wamid=wamid, status=status, at=now))))
    placed.sort(key=lambda item: item[0])
    return [event for _, event in placed]


def store(events: list[Event], *, duplicates: float, rng: random.Random) -> list[int]:
    """Stores each event as a delivery (a `duplicates` share twice, as Meta redelivers); returns the ids in order."""
    bodies = [event.body for event in events]
    bodies += [event.body for event in events if rng.random() < duplicates]
    created = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(body=body, signed_for=[PHONE_NUMBER_ID]) for body in bodies], batch_size=2000
    )
    return [delivery.pk for delivery in created]


def batched(ids: list[int], size: int) -> list[list[int]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def batch_task():
    """The batch task when this checkout has it, else None (one task per delivery, as before)."""
    return getattr(tasks, "process_webhook_deliveries", None)


def process_in_process(ids: list[int], *, batch: int) -> None:
    """What a worker process does with these deliveries, run here."""
    task = batch_task()
    if task is not None:
        for chunk in batched(ids, batch):
            task(delivery_ids=chunk)
    else:
        for delivery_id in ids:
            tasks.process_webhook_delivery(delivery_id=delivery_id)


def queries_per_event(ids: list[int], *, batch: int) -> float:
    with CaptureQueriesContext(connection) as captured:
        process_in_process(ids, batch=batch)
    return round(len(captured.captured_queries) / len(ids), 2)


def count_queries(*, batch: int, rng: random.Random) -> dict[str, float]:
    """Queries per event of each kind, on sample events apart from the backlog (their own customers and messages)."""
    outbound = seed_outbound(prefix="smp", first_wa_id=17770000000, customers=SAMPLE // 3, messages=SAMPLE)
    now = time.time()
    new = [inbound_body(wa_id=f"1888{i:07d}", wamid=f"wamid.new-{i}", text="hello", at=now) for i in range(SAMPLE)]
    known = [
        inbound_body(wa_id=wa_id, wamid=f"wamid.known-{i}", text="thanks", at=now)
        for i, (wa_id, _) in enumerate(outbound)
    ]
    statuses = [status_body(wa_id=wa_id, wamid=wamid, status="delivered", at=now) for wa_id, wamid in outbound]
    figures = {}
    for name, bodies in (("inbound_new_customer", new), ("inbound_known_customer", known), ("status", statuses)):
        ids = store([Event(name, body) for body in bodies], duplicates=0, rng=rng)
        figures[name] = queries_per_event(ids, batch=batch)
    return figures


def publish(ids: list[int], *, batch: int) -> int:
    """Publishes the deliveries' tasks over one broker connection; returns how many tasks."""
    task = batch_task()
    sent = 0
    with app.producer_or_acquire() as producer:
        if task is not None:
            for chunk in batched(ids, batch):
                task.apply_async(kwargs={"delivery_ids": chunk}, producer=producer)
                sent += 1
        else:
            for delivery_id in ids:
                tasks.process_webhook_delivery.apply_async(kwargs={"delivery_id": delivery_id}, producer=producer)
                sent += 1
    return sent


def prepare(options: dict) -> dict:
    rng = random.Random(options["seed"])
    if not options["live_push"]:
        silence_live_pushes()
    queries = count_queries(batch=options["batch"], rng=rng)
    started = time.monotonic()
    messages = options["statuses"] // len(STATUSES)
    outbound = seed_outbound(prefix="out", first_wa_id=16660000000, customers=max(messages // 10, 1), messages=messages)
    events = backlog_events(
        inbound=options["inbound"], customers=options["customers"], outbound=outbound,
        shuffled=options["shuffled"], rng=rng,
    )  # fmt: skip
    ids = store(events, duplicates=options["duplicates"], rng=rng)
    seeded_seconds = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    tasks_published = publish(ids, batch=options["batch"])
    return {
        "queries_per_event": queries,
        "inbound": options["inbound"],
        "statuses": len(outbound) * len(STATUSES),
        "outbound_messages": len(outbound),
        "deliveries": len(ids),
        "first_delivery_id": ids[0],
        "tasks": tasks_published,
        "batch": options["batch"] if batch_task() is not None else 1,
        "seeded_seconds": round(seeded_seconds, 1),
    }


def verify(options: dict) -> dict:
    """What was made of the backlog: each event applied once, no status behind the furthest one sent for it."""
    backlog = WebhookDelivery.objects.filter(pk__gte=options["first_delivery_id"])
    spread = backlog.aggregate(first=Min("processed_at"), last=Max("processed_at"), attempts=Max("attempts"))
    inbound = Message.objects.filter(external_id__startswith="wamid.in-")
    outbound = Message.objects.filter(external_id__startswith="wamid.out-")
    interactions = Interaction.objects.filter(channel_user__external_id__startswith="1555")
    gaps = interactions.annotate(count=Count("messages")).exclude(last_sequence=F("count")).count()
    return {
        "unprocessed_deliveries": backlog.filter(processed_at__isnull=True).count(),
        "deliveries_with_errors": backlog.exclude(last_error="").count(),
        "delivery_attempts": sum(backlog.values_list("attempts", flat=True)),
        "max_attempts_of_a_delivery": spread["attempts"],
        "first_processed_at": spread["first"].timestamp() if spread["first"] else None,
        "last_processed_at": spread["last"].timestamp() if spread["last"] else None,
        "inbound_messages": inbound.count(),
        "distinct_inbound_ids": inbound.values("external_id").distinct().count(),
        "customers": ChannelUser.objects.filter(external_id__startswith="1555").count(),
        "interactions": interactions.count(),
        "interactions_whose_sequence_has_gaps": gaps,
        "status_events": DeliveryStatusEvent.objects.filter(external_id__startswith="wamid.out-").count(),
        "outbound_not_read": outbound.exclude(status="read").count(),
        "checked_at": timezone.now().timestamp(),
    }


if __name__ == "__main__":
    step, arguments = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps({"prepare": prepare, "verify": verify}[step](arguments)))
