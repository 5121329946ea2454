"""How fast the Celery worker drains a backlog of stored webhook deliveries (issue 8, benchmark 2).

For each worker size (`-c`, prefork processes): a fresh database gets the outbound messages the statuses name, then
a backlog of deliveries, one event each (inbound texts from new customers, and sent/delivered/read for every
outbound message, interleaved, a share reversed, a share delivered twice), stored and published with no worker
running. Then the worker starts, and the clock runs from the first delivery it takes to the last one processed.
Prints events/s, events/s per process, worker CPU per event, PostgreSQL sessions opened, SQL queries per event of
each kind (counted in-process on a separate sample by the same task code), and the checks that every event was
applied once and no status went backwards.

    flock /work/wt/bench.lock env DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        REDIS_URL=redis://127.0.0.1:6379/2 .venv/bin/python bench/processing.py
    … --inbound 1000 --statuses 3000 --processes 2     # a short development run
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness, profiling

TARGET_EVENTS_PER_SECOND = 1000
# Where the worker's samples go (`--profile`; `bench/profiling.py FILE --parts processing` rereads a file): each to
# the first part whose regex matches its stack (root first, so "a.py.*b/" is b called under a.py).
PARTS = {
    "live pushes: publishing (redis-py under interactions/live.py)": r"interactions/live\.py.*redis/",
    "live pushes: serializing (interactions/live.py)": r"interactions/live\.py",
    "inbound messages, pushes apart": r"record_inbound_message",
    "statuses, pushes apart": r"record_delivery_status",
    "claiming, parsing and marking deliveries": r"process_webhook_deliver",
    "Celery, kombu, billiard (taking and acknowledging tasks)": r"celery/|kombu/|billiard/",
    "other": r"",
}
ACROSS = {"of all: in SQL (Django's execute_sql, psycopg)": r"execute_sql|psycopg/"}


def run_step(system: harness.Stack, step: str, arguments: dict) -> dict:
    """A step of bench/backlog.py, in a Django process on the stack's database."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.backlog", step, json.dumps(arguments)],
        cwd=harness.BASE_DIR, env=system.environment, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(output.strip().splitlines()[-1])


def sessions_opened(database_url: str) -> int:
    """PostgreSQL's count of sessions ever opened on this database (statistics lag by up to a second)."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("SELECT pg_stat_clear_snapshot()")
        return connection.execute(
            "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()[0]


def drain(
    system: harness.Stack,
    *,
    processes: int,
    deliveries: int,
    first_id: int,
    timeout: float,
    profile: Path | None,
    app: str,
) -> dict:
    """Starts the worker and waits until every delivery of the backlog is processed; py-spy samples it if asked."""
    database_url = system.environment["DATABASE_URL"]
    sessions_before = sessions_opened(database_url)
    system.start_worker(queues="webhooks", concurrency=processes, app=app)
    worker = system.processes["worker"]
    taken = f"SELECT 1 FROM channels_whatsapp_webhookdelivery WHERE id >= {first_id} AND attempts > 0 LIMIT 1"
    with psycopg.connect(database_url, autocommit=True) as connection:
        deadline = time.monotonic() + 120
        while connection.execute(taken).fetchone() is None:  # the worker is still starting
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker never took a task; see {system.workdir / 'worker.log'}")
            time.sleep(0.02)
        started_at, cpu_at_start = time.time(), harness.tree_cpu_seconds(worker.pid)
        recording = profile and profiling.start(
            worker.pid, profile / f"processing-c{processes}.txt", rate=50, subprocesses=True, nonblocking=False
        )
        remaining = harness.wait_until_processed(connection, after_id=first_id - 1, timeout=timeout)
        finished_at, cpu_at_end = time.time(), harness.tree_cpu_seconds(worker.pid)
    if recording:
        samples = recording.stop()
        profiling.print_parts(
            f"worker -c {processes}, share of busy samples ({samples.raw})", samples.parts(PARTS, across=ACROSS)
        )
    time.sleep(1.5)  # PostgreSQL publishes session counts within a second
    return {
        "started_at": started_at,
        "finished_at": finished_at,
        "unfinished_after_timeout": remaining,
        "worker_cpu_seconds": round(cpu_at_end - cpu_at_start, 2),
        "sessions_opened": sessions_opened(database_url) - sessions_before,
    }


def run(options: argparse.Namespace, *, processes: int) -> dict:
    with harness.stack("processing") as system:
        plan = run_step(
            system,
            "prepare",
            {
                "inbound": options.inbound, "statuses": options.statuses, "customers": options.customers,
                "shuffled": options.shuffled, "duplicates": options.duplicates, "batch": options.batch,
                "seed": options.seed, "live_push": not options.without_live_push,
            },
        )  # fmt: skip
        own_cpu_before = harness.own_cpu_seconds()
        drained = drain(
            system, processes=processes, deliveries=plan["deliveries"], first_id=plan["first_delivery_id"],
            timeout=options.timeout, profile=options.profile,
            app="bench.worker_without_live_push" if options.without_live_push else "config",
        )  # fmt: skip
        own_cpu = harness.own_cpu_seconds() - own_cpu_before
        checks = run_step(system, "verify", {"first_delivery_id": plan["first_delivery_id"]})
    events = plan["inbound"] + plan["statuses"]
    seconds = max(checks["last_processed_at"] or drained["finished_at"], drained["started_at"]) - drained["started_at"]
    rate = events / seconds if seconds > 0 else 0.0
    return {
        "processes": processes,
        "live_push": not options.without_live_push,
        "batch": plan["batch"],
        "tasks": plan["tasks"],
        "events": events,
        "deliveries": plan["deliveries"],
        "seconds": round(seconds, 2),
        "events_per_second": round(rate, 1),
        "events_per_second_per_process": round(rate / processes, 1),
        "worker_cpu_ms_per_event": round(1000 * drained["worker_cpu_seconds"] / events, 3),
        "postgres_sessions_opened": drained["sessions_opened"],
        "queries_per_event": plan["queries_per_event"],
        "load_generator_cpu_seconds": round(own_cpu, 2),
        "unfinished_after_timeout": drained["unfinished_after_timeout"],
        "checks": checks,
        "expected": {"inbound": plan["inbound"], "statuses": plan["statuses"], "deliveries": plan["deliveries"]},
    }


def problems(result: dict) -> list[str]:
    """Every way the run fell short of 'each event applied exactly once, no tick backwards'."""
    checks, expected = result["checks"], result["expected"]
    found = []
    if checks["unprocessed_deliveries"] or checks["deliveries_with_errors"]:
        found.append(f"{checks['unprocessed_deliveries']} unprocessed, {checks['deliveries_with_errors']} with errors")
    if checks["inbound_messages"] != expected["inbound"] or checks["distinct_inbound_ids"] != expected["inbound"]:
        found.append(f"{checks['inbound_messages']} inbound messages for {expected['inbound']} sent")
    if checks["status_events"] != expected["statuses"]:
        found.append(f"{checks['status_events']} status events for {expected['statuses']} sent")
    if checks["outbound_not_read"]:
        found.append(f"{checks['outbound_not_read']} outbound messages short of 'read'")
    if checks["interactions_whose_sequence_has_gaps"]:
        found.append(f"{checks['interactions_whose_sequence_has_gaps']} interactions with gaps or repeats")
    if checks["delivery_attempts"] != expected["deliveries"]:
        found.append(f"{checks['delivery_attempts']} processing attempts for {expected['deliveries']} deliveries")
    return found


def print_table(results: list[dict]) -> None:
    header = (
        f"{'-c':>3} {'batch':>5} {'events':>7} {'seconds':>8} {'events/s':>9} {'per proc':>9} {'CPU ms/ev':>9} "
        f"{'PG sess':>8} {'q/inbound new':>13} {'q/inbound':>9} {'q/status':>8} {'gen CPU s':>9}  checks"
    )
    print(header)
    for result in results:
        queries = result["queries_per_event"]
        print(
            f"{result['processes']:>3} {result['batch']:>5} {result['events']:>7} {result['seconds']:>8} "
            f"{result['events_per_second']:>9} {result['events_per_second_per_process']:>9} "
            f"{result['worker_cpu_ms_per_event']:>9} {result['postgres_sessions_opened']:>8} "
            f"{queries['inbound_new_customer']:>13} {queries['inbound_known_customer']:>9} {queries['status']:>8} "
            f"{result['load_generator_cpu_seconds']:>9}  {'; '.join(result['problems']) or 'each once, none back'}"
        )
    best = max(result["events_per_second"] for result in results)
    print(f"target: ≥ {TARGET_EVENTS_PER_SECOND} events/s; best {best} ({'met' if best >= 1000 else 'missed'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inbound", type=int, default=10_000, help="inbound messages in the backlog")
    parser.add_argument("--statuses", type=int, default=30_000, help="statuses (three per outbound message)")
    parser.add_argument("--customers", type=int, default=1_000, help="new customers the inbound messages come from")
    parser.add_argument("--processes", type=lambda text: [int(n) for n in text.split(",")], default=[1, 2, 4],
                        help="worker sizes to run, comma-separated (default 1,2,4)")  # fmt: skip
    parser.add_argument("--batch", type=int, default=100, help="deliveries per task, where the batch task exists")
    parser.add_argument("--shuffled", type=float, default=0.02, help="share of messages whose statuses come reversed")
    parser.add_argument("--duplicates", type=float, default=0.05, help="share of deliveries stored twice")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for a backlog to drain")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--without-live-push", action="store_true",
                        help="without the workspace pushes (serialized and sent per message and status)")  # fmt: skip
    parser.add_argument("--profile", type=Path, help="a folder for py-spy's samples of the worker (collapsed stacks)")
    options = parser.parse_args()
    harness.required_environment()

    results = []
    for processes in options.processes:
        result = run(options, processes=processes)
        result["problems"] = problems(result)
        results.append(result)
        print_table([result])
    print()
    print_table(results)
    harness.write_results(
        "processing",
        {
            "options": {key: str(value) if isinstance(value, Path) else value for key, value in vars(options).items()},
            "runs": results,
        },
    )
    if any(result["problems"] for result in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
