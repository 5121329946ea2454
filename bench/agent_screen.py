"""Webhook to agent screen: how soon a customer's message reaches every agent's workspace socket.

Starts the web server and a worker on a fresh database, signs in `--agents` agents and opens their workspace
sockets in this process, then posts signed inbound messages at a constant `--rate` for `--duration` seconds.
Each client stamps the arrival of every message; the table shows p50/p99/max from POST to frame, and from the
worker's insert (the message's created_at) to frame, which is the live push alone. At the end
each client's set of message ids is compared with the database, first as pushed, then after catching up over
the HTTP API as the workspace does (`messages/?after_revision=`). Target: p99 ≤ 250 ms at 320 messages/s.

    flock /work/wt/bench.lock env DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/agent_screen.py --rate 320 --duration 20
"""

import argparse
import asyncio
import functools
import time
from dataclasses import dataclass, field

import harness
import psycopg
import requests
from agent_sockets import (
    WebhookPoster,
    at_constant_rate,
    events_in,
    open_workspace_sockets,
    signed_in_agents,
)

TEXT_PREFIX = "screen "


@dataclass
class Client:
    """What one agent's socket saw: when each benchmark message arrived, and every message id pushed."""

    cookie: str
    arrivals: dict[int, float] = field(default_factory=dict)
    message_ids: set[int] = field(default_factory=set)
    cursors: dict[int, int] = field(default_factory=dict)  # interaction id → highest revision pushed
    frames: int = 0


@functools.lru_cache(maxsize=8192)
def pushed_messages(frame: str) -> tuple[tuple[int | None, int, int, int], ...]:
    """(benchmark index, message id, interaction id, revision) of each message in a frame. Every client gets the
    same frames, so each is parsed once: the load generator's CPU goes to receiving, not to json.loads."""
    found = []
    for event in events_in(frame):
        if event.get("type") != "message.changed":
            continue
        message = event["message"]
        text = message.get("text") or ""
        index = int(text.removeprefix(TEXT_PREFIX)) if text.startswith(TEXT_PREFIX) else None
        found.append((index, message["id"], event["interaction_id"], event["revision"]))
    return tuple(found)


async def listen(socket, client: Client, last_frame: list[float]) -> None:
    async for frame in socket:
        now = time.time()
        last_frame[0] = now
        client.frames += 1
        for index, message_id, interaction_id, revision in pushed_messages(frame):
            client.message_ids.add(message_id)
            if index is not None:
                client.arrivals.setdefault(index, now)
            if revision > client.cursors.get(interaction_id, 0):
                client.cursors[interaction_id] = revision


def inbound_message_ids(database_url: str) -> set[int]:
    with psycopg.connect(database_url) as connection:
        rows = connection.execute("SELECT id FROM interactions_message WHERE direction = 'inbound'").fetchall()
    return {row[0] for row in rows}


def stored_at(database_url: str) -> dict[int, float]:
    """When the worker stored each benchmark message (its insert's clock: this machine's), by index."""
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT text, created_at FROM interactions_message WHERE direction = 'inbound' AND text LIKE %s",
            [f"{TEXT_PREFIX}%"],
        ).fetchall()
    return {int(text.removeprefix(TEXT_PREFIX)): created.timestamp() for text, created in rows}


def interaction_ids(database_url: str) -> list[int]:
    with psycopg.connect(database_url) as connection:
        return [row[0] for row in connection.execute("SELECT id FROM interactions_interaction").fetchall()]


def catch_up(base_url: str, client: Client, interactions: list[int]) -> int:
    """What the workspace does after missing pushes: every interaction's changes after its cursor. Returns the
    number of requests made."""
    session = requests.Session()
    session.headers["Cookie"] = client.cookie
    requests_made = 0
    for interaction_id in interactions:
        cursor, more = client.cursors.get(interaction_id, 0), True
        while more:
            url = f"{base_url}/api/v1/interactions/{interaction_id}/messages/"
            answer = session.get(url, params={"after_revision": cursor}, timeout=30).json()
            requests_made += 1
            inbound = (message["id"] for message in answer["messages"] if message["direction"] == "inbound")
            client.message_ids.update(inbound)
            cursor, more = answer["revision"], answer["more"]
        client.cursors[interaction_id] = cursor
    return requests_made


async def run(options, stack: harness.Stack, base_url: str, cookies: list[str]) -> dict:
    database_url = stack.environment["DATABASE_URL"]
    clients = [Client(cookie=cookie) for cookie in cookies]
    connect_started = time.monotonic()
    sockets = await open_workspace_sockets(base_url, cookies)
    connect_seconds = time.monotonic() - connect_started
    last_frame = [time.time()]
    listeners = [asyncio.ensure_future(listen(s, c, last_frame)) for s, c in zip(sockets, clients, strict=True)]
    poster = WebhookPoster(base_url)

    # Warm-up: the worker is ready and every socket hears a message before the clock starts.
    warm_index = -1
    await poster.post(harness.text_delivery([(0, f"{TEXT_PREFIX}{warm_index}")]))
    deadline = time.monotonic() + 60
    while not all(warm_index in c.arrivals for c in clients):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the warm-up message reached {sum(warm_index in c.arrivals for c in clients)} clients")
        await asyncio.sleep(0.2)

    poster.statuses.clear()
    count = int(options.rate * options.duration)
    posted: dict[int, float] = {}

    async def send(index: int) -> None:
        body = harness.text_delivery([(index % options.customers, f"{TEXT_PREFIX}{index}")])
        posted[index] = time.time()
        await poster.post(body)

    web, worker = stack.processes["web"].pid, stack.processes["worker"].pid
    cpu_before = (harness.tree_cpu_seconds(web), harness.tree_cpu_seconds(worker), harness.own_cpu_seconds())
    started = time.monotonic()
    schedule_seconds = await at_constant_rate(options.rate, count, send)
    answered_seconds = time.monotonic() - started
    accepted = poster.statuses.get(200, 0)

    # Drain: the worker records everything accepted, then the pushes stop arriving.
    expected = accepted + 1  # the warm-up message
    deadline = time.monotonic() + options.drain_timeout
    while len(inbound_message_ids(database_url)) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
    recorded_seconds = time.monotonic() - started
    while time.time() - last_frame[0] < options.quiet and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    cpu_after = (harness.tree_cpu_seconds(web), harness.tree_cpu_seconds(worker), harness.own_cpu_seconds())
    for listener in listeners:
        listener.cancel()
    for socket in sockets:
        await socket.close()
    poster.close()

    in_database = inbound_message_ids(database_url)
    equal_as_pushed = sum(1 for c in clients if c.message_ids == in_database)
    missing_pushes = sum(len(in_database - c.message_ids) for c in clients)
    interactions = interaction_ids(database_url)
    catch_up_requests = sum(
        await asyncio.gather(
            *(asyncio.to_thread(catch_up, base_url, c, interactions) for c in clients if c.message_ids != in_database)
        )
    )
    equal_after_catch_up = sum(1 for c in clients if c.message_ids == in_database)

    latencies = [
        (arrived - posted[index]) * 1000
        for c in clients
        for index, arrived in c.arrivals.items()
        if index in posted
    ]  # fmt: skip
    stored = stored_at(database_url)
    stored_to_screen = [
        (arrived - stored[index]) * 1000
        for c in clients
        for index, arrived in c.arrivals.items()
        if index in posted and index in stored
    ]  # fmt: skip
    web_cpu, worker_cpu, own_cpu = (after - before for after, before in zip(cpu_after, cpu_before, strict=True))
    frames = sum(c.frames for c in clients)
    return {
        "server": options.server,
        "agents": len(clients),
        "customers": options.customers,
        "offered_rate": options.rate,
        "duration_s": options.duration,
        "posted": count,
        "achieved_rate": round(count / (schedule_seconds + 1 / options.rate), 1),
        "answered_per_s": round(count / answered_seconds, 1),
        "statuses": {str(status): n for status, n in sorted(poster.statuses.items())},
        "http_connections_opened": poster.open_connections + len(poster.idle),
        "connect_seconds": round(connect_seconds, 1),
        "recorded_after_s": round(recorded_seconds, 1),
        "recorded": len(in_database),
        "latency_ms": harness.percentiles(latencies, (50, 99)),
        "stored_to_screen_ms": harness.percentiles(stored_to_screen, (50, 99)),
        "arrivals": len(latencies),
        "expected_arrivals": accepted * len(clients),
        "frames": frames,
        "frames_per_message": round(frames / len(clients) / max(1, expected), 2),
        "clients_equal_as_pushed": equal_as_pushed,
        "pushes_missed": missing_pushes,
        "catch_up_requests": catch_up_requests,
        "clients_equal_after_catch_up": equal_after_catch_up,
        "web_cpu_s": round(web_cpu, 2),
        "web_cpu_ms_per_message": round(web_cpu * 1000 / max(1, accepted), 2),
        "worker_cpu_s": round(worker_cpu, 2),
        "worker_cpu_ms_per_message": round(worker_cpu * 1000 / max(1, accepted), 2),
        "load_generator_cpu_s": round(own_cpu, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=320, help="inbound messages per second (constant rate)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of posting")
    parser.add_argument("--agents", type=int, default=200, help="agent WebSocket clients")
    parser.add_argument("--customers", type=int, default=100, help="distinct customers writing")
    parser.add_argument("--server", choices=["daphne", "uvicorn"], default="daphne")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--quiet", type=float, default=3, help="seconds without a frame that end the run")
    parser.add_argument("--drain-timeout", type=float, default=300, help="longest wait for the worker to catch up")
    parser.add_argument("--name", default="agent_screen", help="results file name")
    options = parser.parse_args()

    with harness.stack("agent_screen") as stack:
        cookies = signed_in_agents(stack, options.agents)
        base_url = stack.start_web(port=harness.free_port(), server=options.server)
        stack.start_worker(queues="webhooks,default", concurrency=options.concurrency)
        figures = asyncio.run(run(options, stack, base_url, cookies))

    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"{name:<{width}}  {value}")
    target = figures["latency_ms"].get("p99", float("inf")) <= 250
    print(f"target p99 ≤ 250 ms at 320/s: {'met' if target and options.rate >= 320 else 'not met'}")
    harness.write_results(options.name, figures)


if __name__ == "__main__":
    main()
