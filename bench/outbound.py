"""Outbound: agents' replies from several business numbers, sent by the Celery worker to the Graph API emulator.

Meta's limits are the yardstick: 80 messages/s per business number (130429 past it) and about one message every
6 s to one customer (131056 past a burst). The run queues `--sends` replies spread over `--numbers` numbers and
`--recipients` customers, plus `--one-recipient` replies to a single customer, then lets the worker send them and
reads the emulator's own log of what it received and when. With `--fault-rate` the emulator refuses that share of
sends as a busy Meta does (429 with Retry-After, 503, 131056); every message must still be accepted once, and
none retried before its Retry-After. The emulator sends no status webhooks here (the processing benchmark owns
them), so the figures are the send path's alone.

    flock /work/wt/bench.lock env DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        REDIS_URL=redis://127.0.0.1:6379/4 .venv/bin/python bench/outbound.py [--fault-rate 0.05]
"""

import argparse
import json
import os
import sys
import time
from bisect import bisect_right
from collections import Counter, defaultdict
from pathlib import Path

import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import itertools

import harness
import profiling

THROTTLING_CODES = (130429, 131056)


def business_numbers(count: int) -> list[dict[str, str]]:
    """The bench's default number first (the stack's settings create it), then further numbers of the same app."""
    numbers = []
    for index in range(count):
        numbers.append(
            {
                "phone_number_id": str(int(harness.PHONE_NUMBER_ID) + index),
                "display_phone_number": str(int(harness.DISPLAY_PHONE_NUMBER) + index),
                "waba_id": "200000000000001",
                "access_token": harness.ACCESS_TOKEN if index == 0 else f"{harness.ACCESS_TOKEN}-{index}",
                "app_secret": harness.APP_SECRET,
            }
        )
    return numbers


def seed(
    *, numbers: list[dict], limit: int, sends: int, recipients: int, one_recipient: int, emulator_url: str
) -> list[int]:
    """Customers with an open window (in the desk and on the emulator), an open interaction each, and the queued
    replies, round-robin over customers so every number's work is interleaved in the queue. Returns message ids
    in queue order; the single customer's come first among equals (see `one_recipient_wa_id`)."""
    from django.utils import timezone

    from channels_whatsapp.models import BusinessNumber
    from interactions.models import ChannelUser, Direction, Interaction, Message, MessageKind, MessageStatus

    for number in numbers[1:]:
        BusinessNumber.objects.create(**number, verify_token="bench-verify-token", messages_per_second=limit)
    now = timezone.now()
    wa_ids = [f"1555{index:07d}" for index in range(recipients)] + [one_recipient_wa_id()]
    users = ChannelUser.objects.bulk_create(
        ChannelUser(
            channel="whatsapp",
            account_id=numbers[index % len(numbers)]["phone_number_id"],
            external_id=wa_id,
            display_name=f"Customer {index}",
            last_inbound_at=now,
        )
        for index, wa_id in enumerate(wa_ids)
    )
    interactions = Interaction.objects.bulk_create(
        Interaction(subtype="whatsapp", channel_user=user, opened_at=now, number=f"B{index:09d}")
        for index, user in enumerate(users)
    )
    per_recipient = [sends // recipients + (1 if index < sends % recipients else 0) for index in range(recipients)]
    per_recipient.append(one_recipient)
    rows = []
    for round_ in range(max(per_recipient)):
        for interaction, count in zip(interactions, per_recipient, strict=True):
            if round_ < count:
                rows.append(
                    Message(
                        interaction=interaction,
                        sequence=round_ + 1,
                        revision=round_ + 1,
                        direction=Direction.OUTBOUND,
                        kind=MessageKind.TEXT,
                        text=f"Reply {round_ + 1} to {interaction.channel_user.external_id}",
                        status=MessageStatus.QUEUED,
                        status_at=now,
                        sent_at=now,
                        next_attempt_at=now,
                    )
                )
    messages = Message.objects.bulk_create(rows, batch_size=2000)
    for interaction, count in zip(interactions, per_recipient, strict=True):
        interaction.last_sequence = interaction.revision = count
    Interaction.objects.bulk_update(interactions, ["last_sequence", "revision"], batch_size=2000)
    with requests.Session() as session:
        for wa_id in wa_ids:
            session.post(f"{emulator_url}/_emulator/customers", json={"wa_id": wa_id, "window_open": True}, timeout=10)
    return [message.pk for message in messages]


def one_recipient_wa_id() -> str:
    return "15559999999"


def enqueue(message_ids: list[int]) -> None:
    from interactions.services.outbound import _enqueue_delivery

    for message_id in message_ids:
        _enqueue_delivery(message_id)


def wait_for_first_send(total: int) -> None:
    """Until the workers have started and taken the first message: CPU is counted from here."""
    from interactions.models import Direction, Message, MessageStatus

    while Message.objects.filter(direction=Direction.OUTBOUND, status=MessageStatus.QUEUED).count() == total:
        time.sleep(0.1)


def cpu_of(running: harness.Stack, name: str) -> float:
    return harness.tree_cpu_seconds(running.processes[name].pid)


def wait_until_settled(*, total: int, timeout: float) -> tuple[float, dict[str, int]]:
    """Polls the outbox once a second until no message is queued; returns the seconds waited and the statuses."""
    from django.db.models import Count

    from interactions.models import Direction, Message

    started = time.monotonic()
    while True:
        statuses = dict(
            Message.objects.filter(direction=Direction.OUTBOUND)
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        queued = statuses.get("queued", 0)
        elapsed = time.monotonic() - started
        print(f"  {elapsed:6.1f} s  queued {queued:6d} of {total}", end="\r", flush=True)
        if not queued or elapsed > timeout:
            print()
            return elapsed, statuses
        time.sleep(1)


def database_activity(database_url: str) -> dict[str, int]:
    """Sessions opened and transactions committed on the run's database so far (pg_stat_database)."""
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("SELECT pg_stat_clear_snapshot()")
        sessions, commits, rollbacks = connection.execute(
            "SELECT sessions, xact_commit, xact_rollback FROM pg_stat_database WHERE datname = %s", [name]
        ).fetchone()
    return {"sessions": sessions, "transactions": commits + rollbacks}


def largest_window_count(times: list[float], window: float) -> int:
    """The most events in any half-open window of `window` seconds (the emulator's own limit counts this way)."""
    ordered = sorted(times)
    return max((bisect_right(ordered, at + window - 1e-9) - index for index, at in enumerate(ordered)), default=0)


def analyse(log: list[dict], *, numbers: list[dict], limit: int, expected_callbacks: set[str], one_wa_id: str) -> dict:
    sends = [entry for entry in log if entry.get("callback")]
    accepted = [entry for entry in sends if entry["status"] == 200]
    by_number: dict[str, list[dict]] = defaultdict(list)
    for entry in accepted:
        by_number[entry["path"].split("/")[-2]].append(entry)
    per_number = {}
    for number in numbers:
        entries = by_number.get(number["phone_number_id"], [])
        times = [entry["at"] for entry in entries]
        bulk = sorted(entry["at"] for entry in entries if entry["to"] != one_wa_id)
        span = bulk[-1] - bulk[0] if len(bulk) > 1 else 0.0
        rate = (len(bulk) - 1) / span if span else 0.0
        per_number[number["phone_number_id"]] = {
            "accepted": len(entries),
            "mean_rate": round(rate, 1),
            "share_of_limit": round(rate / limit, 3),
            "largest_1s_window": largest_window_count(times, 1.0),
        }
    bulk_times = sorted(entry["at"] for entry in accepted if entry["to"] != one_wa_id)
    total_span = bulk_times[-1] - bulk_times[0] if len(bulk_times) > 1 else 0.0
    one = sorted(entry["at"] for entry in accepted if entry["to"] == one_wa_id)
    gaps = [later - earlier for earlier, later in itertools.pairwise(one)]
    by_recipient: dict[str, list[float]] = defaultdict(list)
    for entry in accepted:
        by_recipient[entry["to"]].append(entry["at"])
    codes = Counter(entry["error_code"] for entry in sends if entry["error_code"])
    own_throttling = Counter(
        entry["error_code"] for entry in sends if entry["error_code"] in THROTTLING_CODES and not entry["injected"]
    )
    acceptances = Counter(entry["callback"] for entry in accepted)
    return {
        "per_number": per_number,
        "total_rate": round((len(bulk_times) - 1) / total_span, 1) if total_span else 0.0,
        "bulk_seconds": round(total_span, 1),
        "one_recipient": {
            "accepted": len(one),
            "largest_6s_window": largest_window_count(one, 6.0),
            "gap_seconds": harness.percentiles(gaps, (10, 50)) if gaps else {},
            "sent_in_first_second": sum(1 for at in one if at - one[0] < 1) if one else 0,
        },
        "largest_6s_window_any_other_recipient": max(
            (largest_window_count(times, 6.0) for to, times in by_recipient.items() if to != one_wa_id), default=0
        ),
        "requests": len(sends),
        "error_codes": {str(code): count for code, count in sorted(codes.items())},
        "throttling_not_injected": {str(code): own_throttling.get(code, 0) for code in THROTTLING_CODES},
        "injected_faults": sum(1 for entry in sends if entry["injected"]),
        "never_accepted": len(expected_callbacks - set(acceptances)),
        "accepted_twice": sum(1 for count in acceptances.values() if count > 1),
        "retried_before_retry_after": _early_retries(sends),
    }


def _early_retries(sends: list[dict]) -> int:
    """Requests for a message that came sooner after a 429 than its Retry-After allowed."""
    by_message: dict[str, list[dict]] = defaultdict(list)
    for entry in sends:
        by_message[entry["callback"]].append(entry)
    early = 0
    for entries in by_message.values():
        entries.sort(key=lambda entry: entry["at"])
        for earlier, later in itertools.pairwise(entries):
            if earlier["retry_after"] is not None and later["at"] - earlier["at"] < earlier["retry_after"]:
                early += 1
    return early


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sends", type=int, default=10_000, help="replies spread over the recipients")
    parser.add_argument("--numbers", type=int, default=4, help="business numbers")
    parser.add_argument(
        "--limit", type=int, default=80, help="messages/s per number, Meta's default (lower it to test pacing alone)"
    )
    parser.add_argument("--recipients", type=int, default=2_000)
    parser.add_argument("--one-recipient", type=int, default=100, help="replies to one customer (pair limit)")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of sends the emulator refuses")
    parser.add_argument("--workers", type=int, default=2, help="outbound worker processes (celery worker -Q outbound)")
    parser.add_argument("--concurrency", type=int, default=16, help="each worker's -c (and its database pool's size)")
    parser.add_argument("--pool", default="threads", help="each worker's -P: threads (sends wait on the network)")
    parser.add_argument("--profile-seconds", type=int, default=0, help="py-spy the first worker and the emulator")
    parser.add_argument("--timeout", type=float, default=1800, help="give up waiting after this many seconds")
    parser.add_argument("--name", default="outbound", help="results file bench/results/<name>.json")
    options = parser.parse_args()

    emulator_port = harness.free_port()
    emulator_url = f"http://127.0.0.1:{emulator_port}"
    numbers = business_numbers(options.numbers)
    environment = {
        "WHATSAPP_GRAPH_API_URL": emulator_url,
        # A thread holds a connection for its task: as many in the pool as threads, so none waits for one.
        "DATABASE_POOL_MAX_SIZE": str(max(options.concurrency, 10)),
        "WHATSAPP_MESSAGES_PER_SECOND": str(options.limit),
    }
    with harness.stack("outbound", extra_environment=environment) as running:
        numbers_file = running.workdir / "numbers.json"
        numbers_file.write_text(json.dumps(numbers[1:]))
        total = options.sends + options.one_recipient
        running.start_emulator(
            port=emulator_port,
            webhook_url="",
            extra_args=["--waba-id", numbers[0]["waba_id"], "--numbers-file", str(numbers_file),
                        "--messages-per-second", str(options.limit), "--send-fault-rate", str(options.fault_rate),
                        "--log-length", str(total * 3 + 1000)],
        )  # fmt: skip
        os.environ.update({key: running.environment[key] for key in ("DATABASE_URL", "REDIS_URL")})
        os.environ.update({key: value for key, value in running.environment.items() if key.startswith("WHATSAPP_")})
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
        import django

        django.setup()
        from interactions.services.statuses import CORRELATION_PREFIX

        print(f"seeding {options.sends} replies to {options.recipients} customers over {options.numbers} numbers, "
              f"plus {options.one_recipient} to one customer")  # fmt: skip
        message_ids = seed(
            numbers=numbers,
            limit=options.limit,
            sends=options.sends,
            recipients=options.recipients,
            one_recipient=options.one_recipient,
            emulator_url=emulator_url,
        )
        enqueue(message_ids)
        workers = [f"worker{index}" for index in range(options.workers)]
        for name in workers:
            running.start_worker(name, queues="outbound", concurrency=options.concurrency, pool=options.pool)
        wait_for_first_send(total)
        recordings = {}
        if options.profile_seconds:
            for name in ("worker0", "emulator"):
                recordings[name] = profiling.start(
                    running.processes[name].pid, running.workdir / f"{name}.folded", rate=200,
                    seconds=options.profile_seconds, subprocesses=True,
                )  # fmt: skip
        cpu_before = {name: cpu_of(running, name) for name in ["emulator", *workers]}
        database_before = database_activity(running.environment["DATABASE_URL"])
        own_before, started = harness.own_cpu_seconds(), time.monotonic()
        settled_after, statuses = wait_until_settled(total=total, timeout=options.timeout)
        database_after = database_activity(running.environment["DATABASE_URL"])
        cpu = {name: cpu_of(running, name) - before for name, before in cpu_before.items()}
        own_cpu, wall = harness.own_cpu_seconds() - own_before, time.monotonic() - started
        log = requests.get(f"{emulator_url}/_emulator/requests", timeout=60).json()["requests"]
        profile = {}
        for name, recording in recordings.items():
            profile[name] = recording.stop().summary(15)
        from django.db import connections

        connections.close_all()

    callbacks = {f"{CORRELATION_PREFIX}{message_id}" for message_id in message_ids}
    figures = analyse(
        log, numbers=numbers, limit=options.limit, expected_callbacks=callbacks, one_wa_id=one_recipient_wa_id()
    )
    worker_cpu, emulator_cpu = sum(cpu[name] for name in workers), cpu["emulator"]
    sent = max(1, sum(row["accepted"] for row in figures["per_number"].values()))
    figures.update(
        {
            "options": vars(options),
            "outbox": statuses,
            "seconds_until_settled": round(settled_after, 1),
            "worker_cpu_ms_per_send": round(worker_cpu * 1000 / sent, 2),
            "emulator_cpu_ms_per_send": round(emulator_cpu * 1000 / sent, 2),
            "emulator_cpu_share_of_a_core": round(emulator_cpu / wall, 2),
            "load_generator_cpu_seconds": round(own_cpu, 1),
            "postgres_sessions_per_send": round((database_after["sessions"] - database_before["sessions"]) / sent, 3),
            "postgres_transactions_per_send": round(
                (database_after["transactions"] - database_before["transactions"]) / sent, 2
            ),
        }
    )
    report(figures)
    for name, summary in profile.items():
        profiling.print_top(f"py-spy {name}", summary, kinds=("inclusive", "own", "ours"))
    figures["profile"] = profile
    harness.write_results(options.name, figures)


def report(figures: dict) -> None:
    print()
    print(f"{'number':>16} {'accepted':>9} {'mean/s':>7} {'of limit':>8} {'max in 1 s':>10}")
    for number, row in figures["per_number"].items():
        print(f"{number:>16} {row['accepted']:>9} {row['mean_rate']:>7} {row['share_of_limit']:>8} "
              f"{row['largest_1s_window']:>10}")  # fmt: skip
    one = figures["one_recipient"]
    lines = [
        ("total rate (sends/s, bulk)", f"{figures['total_rate']} over {figures['bulk_seconds']} s"),
        ("one recipient", f"{one['accepted']} accepted, gaps {one['gap_seconds']}, max {one['largest_6s_window']} "
                          f"in 6 s"),
        ("max to any other recipient in 6 s", figures["largest_6s_window_any_other_recipient"]),
        ("answers by error code", figures["error_codes"] or "none"),
        ("130429/131056 not injected", figures["throttling_not_injected"]),
        ("injected faults", figures["injected_faults"]),
        ("never accepted / accepted twice", f"{figures['never_accepted']} / {figures['accepted_twice']}"),
        ("retried before Retry-After", figures["retried_before_retry_after"]),
        ("outbox at the end", figures["outbox"]),
        ("worker CPU per send", f"{figures['worker_cpu_ms_per_send']} ms"),
        ("emulator CPU per send", f"{figures['emulator_cpu_ms_per_send']} ms "
                                  f"({figures['emulator_cpu_share_of_a_core']} of a core)"),
        ("PostgreSQL sessions / transactions per send",
         f"{figures['postgres_sessions_per_send']} / {figures['postgres_transactions_per_send']}"),
        ("load generator CPU", f"{figures['load_generator_cpu_seconds']} s"),
    ]  # fmt: skip
    for label, value in lines:
        print(f"{label:>44}: {value}")


if __name__ == "__main__":
    main()
