"""Webhook ingest: how many signed WhatsApp deliveries the web server stores per second, beside the ceiling of the
HTTP stack (a bare ASGI app answering 200 on the same server, same requests).

wrk posts distinct pre-signed deliveries (5 % of them re-sending an earlier body, as Meta does) at fixed rates,
one connection per wrk thread, latency measured from each request's due time (bench/webhook_ingest.lua). Then
as fast as the server answers ("max"), for us and for the bare app; and a batched variant, 10 messages per POST.
Afterwards every body answered 2xx must be in the inbox (WebhookDelivery rows, compared by hash). PostgreSQL
connections to the bench database are sampled throughout; they must stay bounded. With --with-worker a Celery
worker processes what is stored meanwhile, as in production, and each phase also tells how long after its last
POST the worker had processed every delivery ("done s").

    flock /work/wt/bench.lock env DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        REDIS_URL=redis://127.0.0.1:6379/1 .venv/bin/python bench/webhook_ingest.py --duration 60
"""

import argparse
import hashlib
import math
import os
import random
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import harness
import profiling
import psycopg
import requests

LUA_SCRIPT = Path(__file__).with_name("webhook_ingest.lua")
WEBHOOK_PATH = "/webhooks/whatsapp/"
DUPLICATE_SHARE = 0.05
CUSTOMERS = 1000


def delivery_body(*, messages: int) -> bytes:
    """One delivery as Meta sends it: `messages` text messages from as many customers, in one change."""
    customers = [random.randrange(CUSTOMERS) for _ in range(messages)]
    return harness.text_delivery((c, f"ingest benchmark message to customer {c}") for c in customers)


@dataclass
class Workload:
    """Each wrk thread's bodies, in the order it sends them (cycling if it runs out)."""

    per_thread: list[list[bytes]]
    prefix: Path

    @classmethod
    def write(cls, directory: Path, *, threads: int, per_thread: int, messages: int) -> "Workload":
        prefix = directory / f"bodies-{uuid.uuid4().hex[:6]}"
        streams = []
        for thread in range(threads):
            stream: list[bytes] = []
            for index in range(per_thread):
                duplicate = index > 10 and random.random() < DUPLICATE_SHARE
                stream.append(random.choice(stream) if duplicate else delivery_body(messages=messages))
            lines = (harness.signature(body) + "\t" for body in stream)
            Path(f"{prefix}.{thread}").write_bytes(
                b"".join(s.encode() + b + b"\n" for s, b in zip(lines, stream, strict=True))
            )
            streams.append(stream)
        return cls(per_thread=streams, prefix=prefix)

    def sent(self, counts: list[int], refused: list[set[int]]) -> tuple[set[str], set[str]]:
        """Hashes of the distinct bodies sent, and of those answered 2xx."""
        sent, accepted = set(), set()
        for stream, count, refusals in zip(self.per_thread, counts, refused, strict=True):
            for index in range(count):
                digest = hashlib.md5(stream[index % len(stream)]).hexdigest()
                sent.add(digest)
                if index not in refusals:
                    accepted.add(digest)
        return sent, accepted


@dataclass
class Phase:
    server: str
    app: str
    mode: str  # the fixed rate asked for, or "max"
    messages_per_post: int
    seconds: float
    requests: int
    answered_2xx: int
    non_2xx: int
    socket_errors: int
    requests_per_s: float
    events_per_s: float
    p50_ms: float
    p99_ms: float
    p999_ms: float
    max_ms: float
    server_cpu_ms_per_request: float
    loadgen_cpu_s: float
    inbox_rows: int | None = None
    distinct_sent: int | None = None
    distinct_accepted_missing: int | None = None
    max_pg_connections: int | None = None
    worker_done_s: float | None = None  # with --with-worker: from the phase's end until every delivery is processed


class ConnectionSampler(threading.Thread):
    """The most PostgreSQL sessions open on the bench database, sampled every 0.2 s."""

    def __init__(self, database_url: str) -> None:
        super().__init__(daemon=True)
        self.database_url, self.highest, self.running = database_url, 0, True

    def run(self) -> None:
        name = self.database_url.rsplit("/", 1)[1]
        with psycopg.connect(self.database_url, autocommit=True) as connection:
            while self.running:
                (count,) = connection.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name]
                ).fetchone()
                self.highest = max(self.highest, count)
                time.sleep(0.2)


def run_wrk(url: str, workload: Workload, *, threads: int, rate: float, seconds: float, workdir: Path) -> dict:
    out = workdir / f"wrk-{uuid.uuid4().hex[:6]}.txt"
    environment = {
        **os.environ,
        "BENCH_BODIES": str(workload.prefix),
        "BENCH_RATE": str(rate),
        "BENCH_THREADS": str(threads),
        "BENCH_PATH": WEBHOOK_PATH,
        "BENCH_OUT": str(out),
    }
    command = ["wrk", "-t", str(threads), "-c", str(threads), "-d", f"{seconds:g}s", "--timeout", "30s",
               "-s", str(LUA_SCRIPT), url + WEBHOOK_PATH]  # fmt: skip
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0 or not out.exists():
        raise RuntimeError(f"wrk failed ({process.returncode}): {process.stderr.read().decode()[-2000:]}")
    result = {"sent": [], "refused": [], "latencies": [], "statuses": {}, "errors": 0}
    for line in out.read_text().splitlines():
        key, _, rest = line.partition(" ")
        if key == "thread":
            result["sent"].append(int(rest.split()[-1]))
        elif key == "refused":
            result["refused"].append({int(index) for index in rest.split()})
        elif key == "latencies":
            result["latencies"] += [float(ms) for ms in rest.split()]
        elif key == "statuses":
            for pair in rest.split():
                status, count = pair.split(":")
                result["statuses"][int(status)] = result["statuses"].get(int(status), 0) + int(count)
        elif key == "errors":
            result["errors"] = sum(int(n) for n in rest.split())
    result["cpu_s"] = usage.ru_utime + usage.ru_stime
    out.unlink()
    return result


def inbox_hashes(database_url: str, *, after_id: int) -> tuple[int, set[str], int]:
    """Rows stored since `after_id`: their count, the hashes of their bodies, and the highest id."""
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT id, md5(body) FROM channels_whatsapp_webhookdelivery WHERE id > %s", [after_id]
        ).fetchall()
    return len(rows), {digest for _, digest in rows}, max((row_id for row_id, _ in rows), default=after_id)


def measure(
    stack: harness.Stack, *, url: str, server: str, app: str, mode: str, messages: int, options, workdir: Path,
    check_inbox: bool,
) -> Phase:  # fmt: skip
    rate = 0.0 if mode == "max" else float(mode)
    seconds = options.max_duration if mode == "max" else options.duration
    expected = (options.max_rate_guess if mode == "max" else rate) / (messages if mode == "max" else 1)
    per_thread = math.ceil(expected * seconds / options.connections) + 2
    workload = Workload.write(workdir, threads=options.connections, per_thread=per_thread, messages=messages)
    pid = stack.processes[f"web-{server}-{app}"].pid
    database_url = stack.environment["DATABASE_URL"]
    last_id = inbox_hashes(database_url, after_id=0)[2] if check_inbox else 0
    sampler = ConnectionSampler(database_url)
    sampler.start()
    profiled = options.profile and mode == "max" and messages == 1
    if profiled:
        raw = harness.BASE_DIR / "var" / "bench" / f"profile-{server}-{app}.txt"
        recording = profiling.start(pid, raw, seconds=seconds - 1, threads=True)
    cpu_before, started = harness.tree_cpu_seconds(pid), time.monotonic()
    result = run_wrk(url, workload, threads=options.connections, rate=rate, seconds=seconds, workdir=workdir)
    elapsed, server_cpu = time.monotonic() - started, harness.tree_cpu_seconds(pid) - cpu_before
    sampler.running = False
    sampler.join()
    if profiled:
        profiling.print_top(f"py-spy, {server} {app} at max", recording.stop().summary(15))
    answered = len(result["latencies"])
    ok = sum(count for status, count in result["statuses"].items() if 200 <= status < 300)
    figures = harness.percentiles(result["latencies"])
    phase = Phase(
        server=server, app=app, mode=mode, messages_per_post=messages, seconds=round(elapsed, 1),
        requests=answered, answered_2xx=ok, non_2xx=answered - ok, socket_errors=result["errors"],
        requests_per_s=round(answered / seconds, 1), events_per_s=round(ok * messages / seconds, 1),
        p50_ms=figures.get("p50", 0), p99_ms=figures.get("p99", 0), p999_ms=figures.get("p99.9", 0),
        max_ms=figures.get("max", 0), server_cpu_ms_per_request=round(1000 * server_cpu / max(answered, 1), 2),
        loadgen_cpu_s=round(result["cpu_s"], 1), max_pg_connections=sampler.highest,
    )  # fmt: skip
    if check_inbox:
        rows, stored, _ = inbox_hashes(database_url, after_id=last_id)
        sent, accepted = workload.sent(result["sent"], result["refused"])
        phase.inbox_rows, phase.distinct_sent = rows, len(sent)
        phase.distinct_accepted_missing = len(accepted - stored)
    if check_inbox and options.with_worker:
        with psycopg.connect(database_url, autocommit=True) as connection:
            left = harness.wait_until_processed(connection, after_id=last_id, timeout=options.worker_timeout)
        phase.worker_done_s = round(time.monotonic() - started - elapsed, 1) if not left else None
    for path in workdir.glob(f"{workload.prefix.name}.*"):
        path.unlink()
    return phase


def warm_up(url: str, count: int = 20) -> None:
    for _ in range(count):
        body = delivery_body(messages=1)
        headers = harness.signed_headers(body)
        requests.post(url + WEBHOOK_PATH, data=body, headers=headers, timeout=30).raise_for_status()


COLUMNS = [  # (heading, Phase field, width)
    ("server", "server", 7), ("app", "app", 5), ("rate", "mode", 6), ("ev/POST", "messages_per_post", 7),
    ("req/s", "requests_per_s", 8), ("events/s", "events_per_s", 9), ("p50 ms", "p50_ms", 8),
    ("p99 ms", "p99_ms", 8), ("p99.9 ms", "p999_ms", 9), ("non2xx", "non_2xx", 6), ("err", "socket_errors", 4),
    ("cpu ms/req", "server_cpu_ms_per_request", 10), ("wrk cpu s", "loadgen_cpu_s", 9), ("rows", "inbox_rows", 7),
    ("distinct", "distinct_sent", 8), ("missing", "distinct_accepted_missing", 7),
    ("pg conns", "max_pg_connections", 8), ("done s", "worker_done_s", 6),
]  # fmt: skip


def print_table(phases: list[Phase], *, heading: bool = True) -> None:
    if heading:
        print(" ".join(f"{title:>{width}}" for title, _, width in COLUMNS))
    for phase in phases:
        cells = (getattr(phase, name) for _, name, _ in COLUMNS)
        print(
            " ".join(
                f"{'' if cell is None else cell:>{width}}" for cell, (_, _, width) in zip(cells, COLUMNS, strict=True)
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", default="320,1000", help="fixed rates, deliveries/s (comma-separated)")
    parser.add_argument("--duration", type=float, default=60, help="seconds per fixed rate")
    parser.add_argument("--max-duration", type=float, default=20, help="seconds of the as-fast-as-answered runs")
    parser.add_argument(
        "--max-rate-guess", type=float, default=3500, help="requests/s to prepare bodies for in max runs"
    )
    parser.add_argument("--batched-rate", type=float, default=330, help="POSTs/s of 10 messages each (0: skip)")
    parser.add_argument("--connections", type=int, default=32, help="wrk threads, one connection each")
    parser.add_argument("--servers", default="daphne,uvicorn")
    parser.add_argument("--no-ceiling", action="store_true", help="skip the bare ASGI app")
    parser.add_argument("--name", default="webhook_ingest", help="results file name")
    parser.add_argument("--profile", action="store_true", help="py-spy the server during its max runs")
    parser.add_argument("--with-worker", action="store_true", help="a Celery worker processes the deliveries too")
    parser.add_argument("--worker-concurrency", type=int, default=2, help="its processes, with --with-worker")
    parser.add_argument("--worker-timeout", type=float, default=300, help="seconds to wait for it after a phase")
    options = parser.parse_args()
    rates = [rate for rate in options.rates.split(",") if rate]
    phases: list[Phase] = []
    with harness.stack("webhook_ingest") as stack, tempfile.TemporaryDirectory() as temporary:
        workdir = Path(temporary)
        if options.with_worker:
            stack.start_worker(queues="webhooks", concurrency=options.worker_concurrency)
        for server in options.servers.split(","):
            name = f"web-{server}-ours"
            url = stack.start_web(name, port=harness.free_port(), server=server)
            warm_up(url)
            for mode in [*rates, "max"]:
                phases.append(measure(stack, url=url, server=server, app="ours", mode=mode, messages=1,
                                      options=options, workdir=workdir, check_inbox=True))  # fmt: skip
                print_table(phases[-1:])
            if options.batched_rate:
                for mode in [f"{options.batched_rate:g}", "max"]:
                    phases.append(measure(stack, url=url, server=server, app="ours", mode=mode, messages=10,
                                          options=options, workdir=workdir, check_inbox=True))  # fmt: skip
                    print_table(phases[-1:])
            stack.stop(name)
            if not options.no_ceiling:
                name = f"web-{server}-bare"
                url = stack.start_web(name, port=harness.free_port(), server=server, app="bench.bare_asgi:application")
                phases.append(measure(stack, url=url, server=server, app="bare", mode="max", messages=1,
                                      options=options, workdir=workdir, check_inbox=False))  # fmt: skip
                print_table(phases[-1:])
                stack.stop(name)
    print()
    print_table(phases)
    ratios = {}
    for server in options.servers.split(","):
        ours = next(
            (p for p in phases if (p.server, p.app, p.mode, p.messages_per_post) == (server, "ours", "max", 1)), None
        )
        bare = next((p for p in phases if (p.server, p.app) == (server, "bare")), None)
        if ours and bare and bare.requests_per_s:
            ratios[server] = round(ours.requests_per_s / bare.requests_per_s, 2)
            print(
                f"{server}: ours at most {ours.requests_per_s}/s, {ratios[server]} x the bare app's "
                f"{bare.requests_per_s}/s"
            )
    harness.write_results(options.name, {"phases": [asdict(p) for p in phases], "ratio_to_ceiling": ratios,
                                         "options": vars(options)})  # fmt: skip


if __name__ == "__main__":
    main()
