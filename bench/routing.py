"""Routing: from an agent becoming available to the offer on their WebSocket, how fast items are assigned, and the
queries each assignment costs with 100 and with 1,000 items waiting.

A fresh database with `--waiting` (1,000) queued items in one queue and `--agents` (100) agents serving it
(capacity 3), each signed in with a workspace socket open on daphne. Three phases:

1. latency: in each of `--rounds` rounds every agent in turn (at `--rate` per second) posts `available` to
   /api/v1/routing/me/presence/; the clock runs from just before the POST to the first `offer.changed` on that agent's
   socket. Then all post `away` (their offers go back to the queue) and the next round starts. The default rate, 10
   a second, has each of the 100 agents change presence every 10 s, far more often than a desk's agents do; at 25 a
   second (`--rate 25`, the earlier default) the path needs more than one of two cores and the figure is the
   machine's queueing more than the path (bench/README.md).
2. burst: every agent posts `available` at the same moment; offers per second from the first POST to the last
   offer's frame (each agent gets its capacity's worth).
3. engine, in-process on the same database: the sweep offering to every agent at once (offers made per second: the
   router's assignments), the accepts that follow, one by one, and on an auto-accept queue the sweep assigning
   outright; then SQL queries per assignment (an agent's offers made and accepted; an item queued, offered and
   accepted) with 1,000 and with 100 items waiting.

Targets: p99 ≤ 200 ms from available to offer, ≥ 200 assignments/s, queries per assignment not growing.

    flock /work/wt/bench.lock env DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/routing.py
"""

import argparse
import asyncio
import dataclasses
import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import harness
import profiling
import psycopg
from agent_sockets import events_in, open_workspace_sockets

SEED = """
import json
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from interactions.models import ChannelUser, Interaction
from routing.models import AgentProfile, Queue, WorkItem

agents = list(get_user_model().objects.filter(username__startswith="bench-agent-"))
queue = Queue.objects.create(key="bench", name="Bench", is_default=True)
queue.agents.add(*agents)
AgentProfile.objects.bulk_create([AgentProfile(user=agent, capacity=CAPACITY) for agent in agents])
now = timezone.now()
customers = ChannelUser.objects.bulk_create([
    ChannelUser(channel="whatsapp", account_id="ACCOUNT", external_id=f"1555{index:07d}",
                display_name=f"Customer {index}", last_inbound_at=now)
    for index in range(WAITING)
])
interactions = Interaction.objects.bulk_create([
    Interaction(subtype="whatsapp", channel_user=customer, opened_at=now, last_message_at=now,
                number=f"IMS{index:07d}", last_message_preview={"direction": "inbound", "kind": "text",
                                                                "text": f"Question {index}"})
    for index, customer in enumerate(customers)
])
WorkItem.objects.bulk_create([
    WorkItem(interaction=interaction, queue=queue, priority=queue.priority,
             queued_at=now - timedelta(seconds=WAITING - index), summary=f"Question {index}")
    for index, interaction in enumerate(interactions)
])
print(json.dumps({"queue": queue.pk}))
"""

# `--profile`: each sample goes to the first part whose regex matches its stack (root first).
PARTS = {
    "web": {
        "live fan-out to sockets (interactions/live_fanout.py)": r"live_fanout\.py",
        "socket groups worked out again (audience changed)": r"consumers\.py.*(groups_for_user|regroup)",
        "presence change: pushes published (redis-py)": r"set_presence.*redis/",
        "presence change: offers withdrawn": r"release_offers_of",
        "presence change: the rest (lock, save, load)": r"set_presence",
        "response: presence and load read again": r"views\.py.*_me",
        "signing in (token, role)": r"authenticat|may_send_messages|has_permission|check_permissions",
        "after-commit hooks (task enqueued, pushes sent)": r"run_and_clear_commit_hooks|on_commit",
        "Django and DRF request machinery": r"django/|rest_framework/|asgiref/",
        "daphne, Twisted": r"daphne/|twisted/|autobahn/",
        "other": r"",
    },
    "worker": {
        "offer round: SQL": r"offer_after_change.*(execute_sql|psycopg/)",
        "offer round: pushes published (redis-py)": r"offer_after_change.*redis/",
        "offer round: expiry task enqueued": r"offer_after_change.*_expire_when_due",
        "offer round: the rest (ORM, serializing)": r"offer_after_change",
        "expiring offers": r"expire_offers",
        "other routing tasks": r"routing/",
        "Celery, kombu (taking and acknowledging tasks)": r"celery/|kombu/|billiard/",
        "other": r"",
    },
}
ACROSS = {"of all: in SQL (Django's execute_sql, psycopg)": r"execute_sql|psycopg/"}

ENGINE = """
import json, time
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from interactions.models import ChannelUser, Interaction
from routing.models import AgentProfile, Presence, Queue, WorkItem, WorkItemState
from routing.services.assignment import accept_offer, offer_next_items

User = get_user_model()
queue = Queue.objects.get(key="bench")
# Accepts one by one must not find their offers expired on a loaded machine: this measures speed, not timeouts.
Queue.objects.filter(pk=queue.pk).update(offer_timeout_seconds=3600)
WorkItem.objects.filter(state=WorkItemState.OFFERED).update(
    state=WorkItemState.QUEUED, offered_to=None, offered_at=None, offer_expires_at=None)
AgentProfile.objects.update(presence=Presence.AVAILABLE)
figures = {}

started = time.perf_counter()
offered = offer_next_items()
offer_seconds = time.perf_counter() - started
started = time.perf_counter()
for item in offered:
    accept_offer(work_item=item, agent=item.offered_to)
accept_seconds = time.perf_counter() - started
figures["sweep_offers"] = len(offered)
figures["offers_per_s"] = round(len(offered) / offer_seconds, 1)
figures["accepts_per_s"] = round(len(offered) / accept_seconds, 1)
figures["offered_and_accepted_per_s"] = round(len(offered) / (offer_seconds + accept_seconds), 1)

def finish_all_work():
    Interaction.objects.filter(state="work_in_progress").update(state="closed_complete", closed_at=timezone.now())

finish_all_work()
Queue.objects.filter(pk=queue.pk).update(auto_accept=True)
started = time.perf_counter()
assigned = offer_next_items()
figures["auto_accept_assignments"] = len(assigned)
figures["auto_accept_assignments_per_s"] = round(len(assigned) / (time.perf_counter() - started), 1)
Queue.objects.filter(pk=queue.pk).update(auto_accept=False)
finish_all_work()

def new_items(count):
    now = timezone.now()
    start = ChannelUser.objects.count()
    customers = ChannelUser.objects.bulk_create([
        ChannelUser(channel="whatsapp", account_id="ACCOUNT", external_id=f"1666{start + index:07d}",
                    last_inbound_at=now)
        for index in range(count)
    ])
    interactions = Interaction.objects.bulk_create([
        Interaction(subtype="whatsapp", channel_user=customer, opened_at=now, last_message_at=now)
        for customer in customers
    ])
    return WorkItem.objects.bulk_create([
        WorkItem(interaction=interaction, queue=queue, priority=queue.priority, queued_at=now, summary="New")
        for interaction in interactions
    ])

def probe_agent(name, capacity):
    agent = User.objects.create(username=name)
    AgentProfile.objects.create(user=agent, capacity=capacity, presence=Presence.AVAILABLE)
    queue.agents.add(agent)
    return agent

def queries_per_assignment(waiting):
    AgentProfile.objects.update(presence=Presence.OFFLINE)  # only the probe agents take work
    queued = WorkItem.objects.filter(state=WorkItemState.QUEUED)
    missing = waiting - queued.count()
    if missing > 0:
        new_items(missing)
    elif missing < 0:
        surplus = list(queued.order_by("-queued_at").values_list("pk", flat=True)[:-missing])
        WorkItem.objects.filter(pk__in=surplus).update(state=WorkItemState.CANCELLED)
    assert queued.count() == waiting
    agent = probe_agent(f"probe-agent-{waiting}", 3)
    with CaptureQueriesContext(connection) as offering:
        items = offer_next_items(agent=agent)
    with CaptureQueriesContext(connection) as accepting:
        for item in items:
            accept_offer(work_item=item, agent=agent)
    per_agent = (len(offering) + len(accepting)) / len(items)
    AgentProfile.objects.filter(presence=Presence.AVAILABLE).update(presence=Presence.OFFLINE)
    other = probe_agent(f"probe-queue-{waiting}", 1)
    new_items(1)
    with CaptureQueriesContext(connection) as queueing:
        made = offer_next_items(queue=queue)
    assert made, "an item queued with an agent free was not offered"
    with CaptureQueriesContext(connection) as accepting_one:
        accept_offer(work_item=made[0], agent=other)
    AgentProfile.objects.filter(user=other).update(presence=Presence.OFFLINE)
    return {
        "agent_available": round(per_agent, 1),
        "item_queued": len(queueing) + len(accepting_one),
        "offers_made": len(items),
    }

figures["queries_per_assignment"] = {
    str(waiting): queries_per_assignment(waiting) for waiting in (1000, 100)
}
print(json.dumps(figures))
"""


@dataclass
class AgentClient:
    """One agent's socket and when their first offer of the current round arrived."""

    agent: harness.Agent
    asked_at: float | None = None
    answered_at: float | None = None  # the presence request's answer
    offered_at: float | None = None  # the first offer's `offered_at`: when the worker's round planned it
    first_offer_at: float | None = None
    offers: int = 0
    withdrawn: int = 0
    first_offers: asyncio.Event = field(default_factory=asyncio.Event)


async def listen(socket, client: AgentClient) -> None:
    async for frame in socket:
        now = time.time()
        for event in events_in(frame):
            if event.get("type") != "offer.changed":
                continue
            if event["state"] == "offered":
                client.offers += 1
                if client.asked_at is not None and client.first_offer_at is None:
                    client.first_offer_at = now
                    client.offered_at = datetime.fromisoformat(event["offer"]["offered_at"]).timestamp()
                    client.first_offers.set()
            elif event["state"] == "withdrawn":
                client.withdrawn += 1


async def post_json(base_url: str, path: str, body: dict, token: str) -> int:
    """One POST on a connection of its own: a bare client, so the load generator spends its CPU on little else."""
    host, port = base_url.removeprefix("http://").split(":")
    payload = json.dumps(body).encode()
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Token {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode()
        + payload
    )
    status = int((await reader.readline()).split()[1])
    await reader.read()
    writer.close()
    return status


async def set_presence(base_url: str, client: AgentClient, presence: str) -> int:
    return await post_json(base_url, "/api/v1/routing/me/presence/", {"presence": presence}, client.agent.token)


def offered_count(database_url: str) -> int:
    with psycopg.connect(database_url) as connection:
        return connection.execute("SELECT count(*) FROM routing_workitem WHERE state = 'offered'").fetchone()[0]


async def everyone_away(base_url: str, database_url: str, clients: list[AgentClient]) -> None:
    """Between rounds, off the clock: a few at a time, within the web process's database pool."""
    limit = asyncio.Semaphore(8)

    async def away(client: AgentClient) -> int:
        async with limit:
            return await set_presence(base_url, client, "away")

    statuses = await asyncio.gather(*(away(client) for client in clients))
    if set(statuses) != {200}:
        raise RuntimeError(f"setting agents away answered {statuses}")
    deadline = time.monotonic() + 60
    while offered_count(database_url):
        if time.monotonic() > deadline:
            raise RuntimeError("offers were not withdrawn from agents who went away")
        await asyncio.sleep(0.1)
    for client in clients:
        client.asked_at = client.answered_at = client.offered_at = client.first_offer_at = None
        client.first_offers.clear()


async def latency_round(base_url: str, clients: list[AgentClient], rate: float) -> list[AgentClient]:
    """Each agent in turn becomes available; returns them with the moments their answer and first offer came."""

    async def available(client: AgentClient) -> int:
        status = await set_presence(base_url, client, "available")
        client.answered_at = time.time()
        return status

    started = time.monotonic()
    posts = []
    for index, client in enumerate(clients):
        delay = started + index / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        client.asked_at = time.time()
        posts.append(asyncio.ensure_future(available(client)))
    statuses = await asyncio.gather(*posts)
    if set(statuses) != {200}:
        raise RuntimeError(f"setting agents available answered {statuses}")
    await asyncio.wait_for(asyncio.gather(*(client.first_offers.wait() for client in clients)), 60)
    return [dataclasses.replace(client) for client in clients]


async def burst(base_url: str, clients: list[AgentClient], capacity: int) -> dict:
    """Every agent becomes available at once: offers per second until the last offer's frame."""
    before = sum(client.offers for client in clients)
    expected = before + capacity * len(clients)
    started = time.time()
    for client in clients:
        client.asked_at = started
    statuses = await asyncio.gather(*(set_presence(base_url, client, "available") for client in clients))
    if set(statuses) != {200}:  # past the pool's wait a request answers 503: the burst is more than it takes
        return {"refused_503": statuses.count(503), "offers": sum(client.offers for client in clients) - before}
    deadline = time.monotonic() + 120
    while sum(client.offers for client in clients) < expected:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{expected - sum(c.offers for c in clients)} offers never arrived")
        await asyncio.sleep(0.005)
    last = time.time()
    latencies = [(client.first_offer_at - client.asked_at) * 1000 for client in clients]
    offers = expected - before
    return {
        "offers": offers,
        "offers_per_s": round(offers / (last - started), 1),
        "first_offer_ms": harness.percentiles(latencies, (50, 99)),
    }


def between(clients: list[AgentClient], start: str, end: str) -> dict[str, float]:
    return harness.percentiles([(getattr(c, end) - getattr(c, start)) * 1000 for c in clients], (50, 99))


async def run(options, stack: harness.Stack, base_url: str, agents: list[harness.Agent]) -> dict:
    database_url = stack.environment["DATABASE_URL"]
    clients = [AgentClient(agent=agent) for agent in agents]
    # A few handshakes at a time, after one that warms the fresh server up (tried again if need be): on a loaded
    # machine daphne drops a handshake not done within its 5 s.
    for attempt in range(3):
        try:
            sockets = await open_workspace_sockets(base_url, [agents[0].cookie], at_once=1)
            break
        except Exception:
            if attempt == 2:
                raise
    sockets += await open_workspace_sockets(base_url, [agent.cookie for agent in agents[1:]], at_once=10)
    listeners = [asyncio.ensure_future(listen(s, c)) for s, c in zip(sockets, clients, strict=True)]
    web, worker = stack.processes["web"].pid, stack.processes["worker"].pid

    # Warm-up: every code path once, outside the clock.
    await latency_round(base_url, clients[:5], options.rate)
    await everyone_away(base_url, database_url, clients)

    recordings = options.profile and {
        name: profiling.start(pid, options.profile / f"routing-{name}.txt", rate=100, gil=True, subprocesses=True)
        for name, pid in (("web", web), ("worker", worker))
    }

    def cpu() -> tuple[float, float, float]:
        return harness.tree_cpu_seconds(web), harness.tree_cpu_seconds(worker), harness.own_cpu_seconds()

    spent = {"available": [0.0, 0.0, 0.0], "away": [0.0, 0.0, 0.0]}  # web, worker, load generator

    def count(phase: str, since: tuple[float, float, float]) -> None:
        spent[phase] = [total + now - before for total, now, before in zip(spent[phase], cpu(), since, strict=True)]

    timed: list[AgentClient] = []
    load_before = os.getloadavg()[0]  # the machine is shared: the tail depends on what else runs
    for _ in range(options.rounds):
        before = cpu()
        timed += await latency_round(base_url, clients, options.rate)
        count("available", before)
        before = cpu()
        await everyone_away(base_url, database_url, clients)
        count("away", before)
    load_after = os.getloadavg()[0]
    latencies = [(client.first_offer_at - client.asked_at) * 1000 for client in timed]
    web_cpu, worker_cpu, own_cpu = (a + b for a, b in zip(spent["available"], spent["away"], strict=True))
    profiles = {}
    for name, recording in (recordings or {}).items():
        profile = recording.stop()
        profiling.print_top(f"{name}, latency rounds (GIL-holding samples)", profile.summary(15), ("own", "ours"))
        profiling.print_parts("  by part:", profile.parts(PARTS[name], across=ACROSS))
        profiles[name] = {**profile.summary(), "parts": profile.parts(PARTS[name], across=ACROSS)}
    burst_figures = await burst(base_url, clients, options.capacity)
    for listener in listeners:
        listener.cancel()
    for socket in sockets:
        await socket.close()
    samples = options.rounds * len(clients)
    return {
        "agents": len(clients),
        "waiting": options.waiting,
        "capacity": options.capacity,
        "rate_agents_per_s": options.rate,
        "available_to_offer_ms": harness.percentiles(latencies, (50, 99)),
        # The same clock in three parts: the request answered; the worker's round planning the offer (its
        # `offered_at`, on the same machine's clock); the frame on the socket.
        "presence_answered_ms": harness.percentiles([(c.answered_at - c.asked_at) * 1000 for c in timed], (50, 99)),
        "offer_planned_ms": harness.percentiles([(c.offered_at - c.asked_at) * 1000 for c in timed], (50, 99)),
        "planned_to_socket_ms": harness.percentiles(
            [(c.first_offer_at - c.offered_at) * 1000 for c in timed], (50, 99)
        ),
        "samples": len(latencies),
        "web_cpu_ms_per_presence_change": round(web_cpu * 1000 / (2 * samples), 2),  # available, then away
        "worker_cpu_ms_per_presence_change": round(worker_cpu * 1000 / (2 * samples), 2),
        "cpu_ms_per_change_by_kind": {
            phase: {"web": round(web * 1000 / samples, 2), "worker": round(work * 1000 / samples, 2)}
            for phase, (web, work, _) in spent.items()
        },
        "load_generator_cpu_s": round(own_cpu, 2),
        "load_average_1min": {"before": round(load_before, 2), "after": round(load_after, 2)},
        "burst": burst_figures,
        **({"profiles": profiles} if profiles else {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--waiting", type=int, default=1000, help="queued items at the start")
    parser.add_argument("--capacity", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5, help="latency rounds (each agent once per round)")
    parser.add_argument("--rate", type=float, default=10, help="agents becoming available per second")
    parser.add_argument("--name", default="routing", help="results file name")
    parser.add_argument("--profile", type=Path, help="a folder for py-spy's samples of web and worker (latency rounds)")
    options = parser.parse_args()

    with harness.stack("routing") as stack:
        agents = harness.sign_in_agents(stack, options.agents)
        seed = SEED.replace("CAPACITY", str(options.capacity)).replace("WAITING", str(options.waiting))
        stack.manage("shell", "-c", seed.replace("ACCOUNT", harness.PHONE_NUMBER_ID))
        # Offers are the worker's (routing/tasks.py), on the outbound queue, as in production: a threaded worker.
        stack.start_worker(queues="outbound,default", pool="threads", concurrency=8)
        base_url = stack.start_web(port=harness.free_port())
        figures = asyncio.run(run(options, stack, base_url, agents))
        print(json.dumps({key: value for key, value in figures.items() if key != "profiles"}), flush=True)
        stack.stop("web", "worker")
        try:
            engine = stack.manage("shell", "-c", ENGINE.replace("ACCOUNT", harness.PHONE_NUMBER_ID))
        except subprocess.CalledProcessError as failure:
            raise SystemExit(f"the engine phase failed:\n{failure.stderr}") from failure
        figures["engine"] = json.loads(engine.splitlines()[-1])

    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"{name:<{width}}  {value}")
    p99 = figures["available_to_offer_ms"].get("p99", float("inf"))
    rate = figures["engine"]["offers_per_s"]
    queries = figures["engine"]["queries_per_assignment"]
    print(f"target p99 ≤ 200 ms: {'met' if p99 <= 200 else 'not met'} ({p99} ms)")
    print(f"target ≥ 200 assignments (offers made) per second: {'met' if rate >= 200 else 'not met'} ({rate}/s)")
    flat = queries["1000"]["agent_available"] == queries["100"]["agent_available"]
    flat = flat and queries["1000"]["item_queued"] == queries["100"]["item_queued"]
    print(f"queries per assignment constant from 100 to 1,000 waiting: {'yes' if flat else 'no'} ({queries})")
    harness.write_results(options.name, figures)


if __name__ == "__main__":
    main()
