"""The fault run: 100,000 webhook events through the emulator while workers, the web server, Redis and PostgreSQL
are killed, restarted and stopped; it ends with one line of counts that must all be zero, and exits 1 otherwise.

    .venv/bin/python -m bench.faults [--events 100000] [--rate 150] ...

It brings its own PostgreSQL cluster and Redis on free ports (the machine's are shared and never stopped), so it
needs no DATABASE_URL or REDIS_URL; PG_BIN names PostgreSQL's binaries (default /usr/lib/postgresql/15/bin).
"""

import argparse
import os
import sys
import threading
import time

import requests

from bench import harness
from bench.faults.chaos import Chaos
from bench.faults.checks import verdict, wait_until_drained
from bench.faults.load import Inbound, Readers, Replies
from bench.faults.services import PostgresCluster, RedisServer
from bench.faults.watchers import Watchers

STATUSES_PER_REPLY = 3  # sent, delivered, read
RESUME_TARGET_SECONDS = 10


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000, help="webhook events: customer messages + statuses")
    parser.add_argument("--rate", type=float, default=150, help="webhook events per second offered")
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--reply-share", type=float, default=0.1, help="agent replies per customer message")
    parser.add_argument("--duplicate-share", type=float, default=0.05, help="webhooks delivered twice")
    parser.add_argument("--reorder-share", type=float, default=0.02, help="replies whose statuses come newest first")
    parser.add_argument("--watchers", type=int, default=3, help="agent WebSocket clients")
    parser.add_argument("--worker-kill-every", type=float, default=20.0)
    parser.add_argument("--postgres-outage", type=float, default=15.0)
    parser.add_argument("--webhook-workers", type=int, default=16, help="the emulator's concurrent webhook posts")
    parser.add_argument("--drain-timeout", type=float, default=1800.0)
    return parser.parse_args()


def main() -> None:
    args = options()
    postgres, redis = PostgresCluster.create(), RedisServer.create()
    os.environ.update(DATABASE_URL=postgres.url, REDIS_URL=redis.url)
    try:
        sys.exit(0 if run(args, postgres, redis) else 1)
    finally:
        postgres.destroy()
        redis.destroy()


def run(args: argparse.Namespace, postgres: PostgresCluster, redis: RedisServer) -> bool:
    web_port, emulator_port = harness.free_port(), harness.free_port()
    # The watchers catch up as often as pushes go missing; the API's per-user throttle is not what this run tests.
    environment = {
        "WHATSAPP_GRAPH_API_URL": f"http://127.0.0.1:{emulator_port}",
        "WHATSAPP_WABA_ID": "100000000000009",
        "API_THROTTLE_USER_RATE": "1000/s",
    }
    with harness.stack("faults", extra_environment=environment) as stack:
        database_url = stack.environment["DATABASE_URL"]
        web_url = stack.start_web(port=web_port)
        stack.start_beat()
        emulator_url = stack.start_emulator(
            port=emulator_port,
            webhook_url=f"{web_url}/webhooks/whatsapp/",
            extra_args=["--webhook-workers", str(args.webhook_workers)],
        )
        requests.post(
            f"{emulator_url}/_emulator/faults",
            json={"duplicate_share": args.duplicate_share, "reorder_share": args.reorder_share},
            timeout=10,
        ).raise_for_status()
        agents = harness.sign_in_agents(stack, args.watchers + 2)
        watchers = Watchers(web_url=web_url, agents=agents[: args.watchers])
        per_message = 1 + STATUSES_PER_REPLY * args.reply_share
        inbound = Inbound(
            emulator_url=emulator_url,
            messages=round(args.events / per_message),
            customers=args.customers,
            rate=args.rate / per_message,
        )
        replies = Replies(
            web_url=web_url,
            database_url=database_url,
            tokens=[agent.token for agent in agents[args.watchers :]],
            rate=inbound.rate * args.reply_share,
        )
        readers = Readers(emulator_url=emulator_url, replies=replies)
        chaos = Chaos(
            stack=stack,
            postgres=postgres,
            redis=redis,
            database_url=database_url,
            web_port=web_port,
            progress=lambda: inbound.progress,
            worker_every=args.worker_kill_every,
            postgres_outage=args.postgres_outage,
        )
        chaos.start_worker()
        watchers.start()
        cpu_before, started = harness.own_cpu_seconds(), time.monotonic()
        threads = [threading.Thread(target=part.run, daemon=True) for part in (replies, readers, chaos)]
        for thread in threads:
            thread.start()
        inbound.run()
        load_seconds = time.monotonic() - started
        for part in (replies, readers, chaos):
            part.stop.set()
        for thread in threads:
            thread.join()
        print(f"load sent in {load_seconds:.0f} s; draining", flush=True)
        drain_seconds = wait_until_drained(
            database_url=database_url,
            emulator_url=emulator_url,
            inbound=inbound,
            readers=readers,
            customers=args.customers,
            timeout=args.drain_timeout,
        )
        watchers.stop()
        watchers.final_catch_up()
        generator_cpu = harness.own_cpu_seconds() - cpu_before
        result = verdict(
            database_url=database_url,
            emulator_url=emulator_url,
            inbound=inbound,
            replies=replies,
            watchers=watchers,
            outage_window=chaos.outage_window,
        )
    return report(args, chaos, result, load_seconds, drain_seconds, generator_cpu)


def report(args, chaos: Chaos, result, load_seconds: float, drain_seconds: float, generator_cpu: float) -> bool:
    details = result.details
    outage_ok = set(chaos.outage_answers) == {503} and not details["webhook_200_during_postgres_outage"]
    resumed = {service: chaos.resumed_after.get(service) for service in ("redis", "postgres")}
    resumed_ok = all(seconds is not None and seconds <= RESUME_TARGET_SECONDS for seconds in resumed.values())
    rows = [
        ("webhook events (messages + statuses)", f"{details['webhook_events']} ({details['inbound_messages_sent']} + "
                                                 f"{details['status_webhooks_reported']})"),
        ("achieved rate while loading", f"{details['webhook_events'] / load_seconds:.0f} events/s "
                                        f"(offered {args.rate:.0f})"),
        ("load / drain", f"{load_seconds:.0f} s / {drain_seconds:.0f} s"),
        ("webhook attempts / duplicates sent", f"{details['webhook_attempts']} / "
                                               f"{details['duplicate_deliveries_sent']}"),
        ("webhook answers", details["webhook_answers"]),
        ("emulator gave up on", details["emulator_gave_up"]),
        ("replies taken / unanswered / 5xx retried", f"{details['replies_accepted']} / {details['replies_unanswered']}"
                                                     f" / {details['replies_retried_after_5xx']}"),
        ("worker kills / workers started", f"{chaos.worker_kills} / {chaos.workers_started}"),
        ("webhook during PostgreSQL outage", f"{dict(chaos.outage_answers)} probe answers, "
                                             f"{details['webhook_200_during_postgres_outage']} emulator 200s"
                                             f" -> {'ok' if outage_ok else 'FAILED'}"),
        ("processing resumed after Redis", _seconds(resumed["redis"])),
        ("processing resumed after PostgreSQL", _seconds(resumed["postgres"])),
        ("watchers", details["watchers"]),
        ("status behind its recorded events", details["status_behind_recorded_count"]),
        ("load generator CPU", f"{generator_cpu:.0f} s"),
    ]  # fmt: skip
    for name, value in rows:
        print(f"{name:<42} {value}")
    for name in ("lost_inbound", "lost_statuses", "lost_replies", "replies_never_sent", "outbound_failed", "sent_twice",
                 "regressions", "divergent_clients", "status_behind_recorded"):  # fmt: skip
        if details[name]:
            print(f"{name}: {details[name]}")
    harness.write_results(
        "faults",
        {
            "events_requested": args.events,
            "counts": {
                "lost": result.lost,
                "dup_inbound": result.dup_inbound,
                "dup_outbound": result.dup_outbound,
                "status_regressions": result.status_regressions,
                "ws_divergent_clients": result.ws_divergent_clients,
            },
            "resumed_after_seconds": resumed,
            "postgres_outage_probe_answers": {str(k): v for k, v in chaos.outage_answers.items()},
            "load_seconds": round(load_seconds, 1),
            "drain_seconds": round(drain_seconds, 1),
            "load_generator_cpu_seconds": round(generator_cpu, 1),
            "chaos": chaos.log,
            **details,
        },
    )
    print(result.line())
    return result.clean and outage_ok and resumed_ok


def _seconds(value: float | None) -> str:
    if value is None:
        return "never (FAILED)"
    return f"{value:.1f} s ({'ok' if value <= RESUME_TARGET_SECONDS else 'FAILED'}, target {RESUME_TARGET_SECONDS} s)"
