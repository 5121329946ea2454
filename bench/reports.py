"""The managers' report on a million messages: each of its queries timed, for a week, a month and a quarter.

Creates a scratch database on the server DATABASE_URL names (dropped at the end unless --keep), migrates it, fills
it with INSERT … SELECT generate_series (bench/sql_fill.py): 100,000 conversations over 90 days, each with ten
messages (the customer's first, a reply by an agent or the virtual agent, then both ways; one in fifty failed
with a Meta error code), the work items routing wrote for them (accepted after a wait, or abandoned, or
transferred), and opt-ins and opt-outs; then ANALYZE. Each report query (reports/selectors.py) runs `--repeat`
times per period and prints its median and slowest time; `--explain` prints each one's plan.

    nice -n 19 env DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        /work/main/.venv/bin/python bench/reports.py
    .venv/bin/python bench/reports.py --interactions 10000 --explain   # a quick look while developing

Target (issue 11): the report stays fast at a million messages; this prints what "fast" is on this machine.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "bench"))
sys.path.insert(0, str(BASE_DIR))

import harness  # noqa: E402

QUEUES = ("sales", "support", "billing", "returns", "vip")
AGENTS = 20
MESSAGES_PER_INTERACTION = 10
ERROR_CODES = ("131047", "131026", "130429", "131051", "132000")


def fill(*, interactions: int, days: int) -> dict[str, int]:
    """The desk's history, ending now. Returns the row counts."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from bench.sql_fill import insert_series, next_id
    from consent.models import ConsentMethod, ConsentRecord, ConsentStatus
    from interactions.models import ChannelUser, Direction, Interaction, InteractionState, Message, MessageStatus
    from routing.models import Queue, WorkItem, WorkItemState
    from virtual_agent.front_door import VIRTUAL_AGENT

    queues = [Queue.objects.create(key=key, name=key.title()) for key in QUEUES]
    agents = [get_user_model().objects.create(username=f"agent{n}", first_name=f"Agent {n}") for n in range(AGENTS)]
    first_agent = agents[0].pk
    span = days * 86400
    insert_series(
        ChannelUser,
        interactions,
        {
            "channel": "'whatsapp'",
            "account_id": f"'{harness.PHONE_NUMBER_ID}'",
            "external_id": "(15550000000 + i)::text",
            "display_name": "'Customer ' || i",
        },
    )
    first_customer = ChannelUser.objects.order_by("pk").values_list("pk", flat=True).first()

    # Conversation i: opened `span` seconds ago for i = 1, now for the last; one in five answered by the virtual
    # agent alone (no queue), the rest in queue mod(i, 5); most closed 20 to 50 minutes after opening.
    def opened_at(number: str) -> str:
        return f"(now() - ((({interactions} - {number})::float8 / {interactions} * {span}) || ' seconds')::interval)"

    opened = opened_at("i")
    bot_only = "mod(i, 5) = 0"
    open_now = f"i > {interactions} - {max(interactions // 100, 1)}"
    insert_series(
        Interaction,
        interactions,
        {
            "number": "'IMS' || lpad(i::text, 10, '0')",
            "subtype": "'whatsapp'",
            "channel_user_id": f"{first_customer} + i - 1",
            "queue": f"CASE WHEN {bot_only} THEN '' ELSE (ARRAY{list(QUEUES)})[1 + mod(i, {len(QUEUES)})] END",
            "automated_responder": f"CASE WHEN {bot_only} AND {open_now} THEN '{VIRTUAL_AGENT}' ELSE '' END",
            "state": f"CASE WHEN {open_now} THEN '{InteractionState.WORK_IN_PROGRESS}' "
            f"WHEN mod(i, 13) = 0 THEN '{InteractionState.CLOSED_ABANDONED}' "
            f"ELSE '{InteractionState.CLOSED_COMPLETE}' END",
            "assigned_to_id": f"CASE WHEN {bot_only} OR mod(i, 13) = 0 THEN NULL "
            f"ELSE {first_agent} + mod(i, {AGENTS}) END",
            "opened_at": opened,
            "closed_at": f"CASE WHEN {open_now} THEN NULL "
            f"ELSE {opened} + ((20 + mod(i, 30)) || ' minutes')::interval END",
            "last_message_at": opened,
            "revision": str(MESSAGES_PER_INTERACTION),
            "last_sequence": str(MESSAGES_PER_INTERACTION),
        },
    )
    first_interaction = Interaction.objects.order_by("pk").values_list("pk", flat=True).first()
    per = MESSAGES_PER_INTERACTION
    n = f"(1 + (i - 1) / {per})"  # the conversation's number
    position = f"(1 + mod(i - 1, {per}))"
    first_message = next_id(Message)
    by_bot = f"mod({n}, 5) = 0"
    insert_series(
        Message,
        interactions * per,
        {
            "interaction_id": f"{first_interaction} + {n} - 1",
            "sequence": position,
            "revision": position,
            "direction": f"CASE WHEN mod({position}, 2) = 1 THEN '{Direction.INBOUND}' ELSE '{Direction.OUTBOUND}' END",
            "text": "'Hello, a question about my order number ' || i",
            "content": f"CASE WHEN mod({position}, 2) = 0 AND {by_bot} "
            f'THEN \'{{"automated": "{VIRTUAL_AGENT}"}}\'::jsonb '
            f"WHEN {position} = 4 THEN '{{\"automated\": \"waiting_message\"}}'::jsonb ELSE '{{}}'::jsonb END",
            "author_id": f"CASE WHEN mod({position}, 2) = 1 OR {by_bot} OR {position} = 4 THEN NULL "
            f"ELSE {first_agent} + mod({n}, {AGENTS}) END",
            "external_id": "'wamid.report' || i",
            "status": f"CASE WHEN mod({position}, 2) = 1 THEN '{MessageStatus.RECEIVED}' "
            f"WHEN mod(i, 50) = 0 THEN '{MessageStatus.FAILED}' ELSE '{MessageStatus.READ}' END",
            "error_code": f"CASE WHEN mod({position}, 2) = 0 AND mod(i, 50) = 0 "
            f"THEN (ARRAY{list(ERROR_CODES)})[1 + mod(i / 50, {len(ERROR_CODES)})] ELSE '' END",
            "error_title": f"CASE WHEN mod({position}, 2) = 0 AND mod(i, 50) = 0 THEN 'Failed' ELSE '' END",
            # The customer writes at opening, a reply follows 10 to 300 s later, then a message a minute.
            "sent_at": f"{opened_at(n)} + (CASE WHEN {position} = 1 THEN 0 "
            f"ELSE 10 + mod({n}, 290) + ({position} - 2) * 60 END || ' seconds')::interval",
            "status_at": f"{opened_at(n)} + ({position} * 60 || ' seconds')::interval",
        },
    )
    # Routing's work items for the queued conversations: accepted 30 s to 10 min after queueing, or (one in
    # thirteen) abandoned; one in eleven first queued elsewhere and transferred (two items).
    queue_ids = [queue.pk for queue in queues]
    queued = "mod(i, 5) <> 0"
    accepted = f"mod(i, 13) <> 0 AND NOT ({open_now})"
    insert_series(
        WorkItem,
        interactions,
        {
            "interaction_id": f"{first_interaction} + i - 1",
            "queue_id": f"(ARRAY{queue_ids})[1 + mod(i, {len(QUEUES)})]",
            "state": f"CASE WHEN {accepted} THEN '{WorkItemState.ACCEPTED}' "
            f"WHEN {open_now} THEN '{WorkItemState.QUEUED}' "
            f"ELSE '{WorkItemState.CANCELLED}' END",
            "priority": "3",
            "queued_at": f"{opened} + interval '5 seconds'",
            "waiting_since": f"{opened} + interval '5 seconds'",
            "accepted_by_id": f"CASE WHEN {accepted} THEN {first_agent} + mod(i, {AGENTS}) END",
            "accepted_at": f"CASE WHEN {accepted} THEN {opened} + ((35 + mod(i * 7, 600)) || ' seconds')::interval END",
            "ended_at": f"CASE WHEN {open_now} THEN NULL ELSE {opened} + interval '11 minutes' END",
        },
        rows=f"generate_series(1, {interactions}) AS i WHERE {queued}",
    )
    insert_series(
        WorkItem,
        interactions,
        {
            "interaction_id": f"{first_interaction} + i - 1",
            "queue_id": f"(ARRAY{queue_ids})[1 + mod(i + 1, {len(QUEUES)})]",
            "state": f"'{WorkItemState.CANCELLED}'",
            "priority": "3",
            "queued_at": opened,
            "waiting_since": opened,
            "ended_at": f"{opened} + interval '5 seconds'",
        },
        rows=f"generate_series(1, {interactions}) AS i WHERE {queued} AND mod(i, 11) = 0 AND NOT ({open_now})",
    )
    # One customer in twenty opts in by keyword, one in forty opts out; one in a hundred told an agent.
    insert_series(
        ConsentRecord,
        interactions,
        {
            "channel_user_id": f"{first_customer} + i - 1",
            "scope": "'all'",
            "status": f"CASE WHEN mod(i, 40) = 0 THEN '{ConsentStatus.OPTED_OUT}' ELSE '{ConsentStatus.OPTED_IN}' END",
            "method": f"CASE WHEN mod(i, 100) = 0 THEN '{ConsentMethod.VERBAL}' ELSE '{ConsentMethod.KEYWORD}' END",
            "recorded_at": f"{opened} + interval '1 minute'",
            "recorded_by_id": f"CASE WHEN mod(i, 100) = 0 THEN {first_agent} + mod(i, {AGENTS}) END",
            "message_id": f"CASE WHEN mod(i, 100) = 0 THEN NULL ELSE {first_message} + (i - 1) * {per} END",
        },
        rows=f"generate_series(1, {interactions}) AS i WHERE mod(i, 20) = 0 OR mod(i, 40) = 0",
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would: the visibility map lets index-only scans skip the heap
        counts = {}
        for model in (Interaction, Message, WorkItem, ConsentRecord):
            cursor.execute(f"SELECT count(*) FROM {model._meta.db_table}")
            counts[model._meta.label] = cursor.fetchone()[0]
    return counts


def timed_queries() -> dict[str, object]:
    """Each statement of the report as desk_report runs it (JIT off on PostgreSQL), and the whole report."""
    from reports import selectors

    def alone(fact):
        def run(period):
            with selectors._report_queries():
                fact(period, selectors._Rows())

        return run

    return {
        "conversations": alone(selectors._conversation_facts),
        "work items": alone(selectors._work_item_facts),
        "consent": alone(selectors._consent_facts),
        "failures": alone(selectors._failure_facts),
        "per day": alone(lambda period, rows: selectors._daily_conversations(period)),
        "whole report": selectors.desk_report,
    }


def explain(run, period) -> str:
    """The plan of the statement `run` executes (the last one: the first turns JIT off), with real times."""
    from django.db import connection, transaction

    captured = {}

    def remember(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            captured.update(sql=sql, params=params)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(remember):
        run(period)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + captured["sql"], captured["params"])
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--interactions", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="Print each query's plan (the week and the quarter)")
    parser.add_argument("--keep", action="store_true", help="Keep the scratch database")
    arguments = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (postgres://postgres@127.0.0.1:5432/postgres).")

    with harness.fresh_database(database_url, name="reports") as scratch:
        os.environ["DATABASE_URL"] = scratch
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
        import django
        from django.core.management import call_command

        django.setup()
        from django.db import connection
        from django.utils import timezone

        from reports.period import report_period

        try:
            call_command("migrate", verbosity=0)
            started = time.monotonic()
            counts = fill(interactions=arguments.interactions, days=arguments.days)
            fill_seconds = time.monotonic() - started
            print(
                f"Filled in {fill_seconds:.0f} s: " + ", ".join(f"{count:,} {name}" for name, count in counts.items())
            )
            print(f"Load average at the start: {os.getloadavg()}")
            today = timezone.localdate()
            periods = {
                "week": report_period(first_day=today - timedelta(days=6), last_day=today),
                "30 days": report_period(first_day=today - timedelta(days=29), last_day=today),
                f"{arguments.days} days": report_period(
                    first_day=today - timedelta(days=arguments.days - 1), last_day=today
                ),
            }
            figures: dict[str, object] = {"rows": counts, "fill_seconds": round(fill_seconds, 1), "periods": {}}
            for label, period in periods.items():
                print(f"\n== {label}: {period.first_day} to {period.last_day}")
                figures["periods"][label] = {}
                for name, run in timed_queries().items():
                    run(period)  # warm the cache: the figures are of a server that has been running
                    samples = []
                    for _ in range(arguments.repeat):
                        began = time.perf_counter()
                        run(period)
                        samples.append((time.perf_counter() - began) * 1000)
                    median, slowest = statistics.median(samples), max(samples)
                    figures["periods"][label][name] = {"median_ms": round(median, 1), "max_ms": round(slowest, 1)}
                    print(f"{name:28} median {median:8.1f} ms   slowest {slowest:8.1f} ms")
                    if arguments.explain and not name.startswith("whole") and label == "week":
                        print(explain(run, period), "\n")
            figures["load_average_at_end"] = os.getloadavg()
            harness.write_results("reports", figures)
        finally:
            connection.close()
            connection.close_pool()


if __name__ == "__main__":
    main()
