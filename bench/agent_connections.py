"""Agent connections: one web server process holding thousands of idle workspace sockets, and a broadcast to them.

For each server (daphne, uvicorn; same app, config.asgi): signs in `--sockets` agents, opens their sockets,
holds them idle for `--hold` seconds and counts any that close (server pings keep them up; the clients, like
browsers, send none), and reports the server's resident memory per socket. Then it pushes `--broadcasts` events
through the app's own live push (interactions.live) to all of them, closes all but `--broadcast-sockets` and
pushes again: p50/p95/max from publish to frame. Targets: 5,000 sockets for 10 minutes with no drops; a broadcast
to 1,000 sockets with p95 ≤ 250 ms.

    flock /work/wt/bench.lock env DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/agent_connections.py --hold 60
"""

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import time

import harness
from agent_sockets import events_in, open_workspace_sockets, signed_in_agents

BROADCAST_PREFIX = "broadcast "
# Through the app's own push, outside a transaction (so sent at once): what a typing indicator costs.
PUBLISH = """
import time
from interactions.live import broadcast_on_commit
for index in range({first}, {first} + {count}):
    stamp = f"{prefix}{{index}} {{time.time()!r}}"
    broadcast_on_commit({{"type": "agent.typing", "interaction_id": 0, "agent_id": 0, "agent": stamp}})
    time.sleep({interval})
"""


def raise_open_files_limit(needed: int) -> int:
    """Sockets are files: lift this process's soft limit (the servers started from it inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard == resource.RLIM_INFINITY else min(hard, max(soft, needed))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    if wanted < needed:
        sys.exit(f"need {needed} open files, the hard limit is {hard}: raise it (ulimit -Hn) and run again")
    return wanted


class Listener:
    """Reads one socket until it closes: broadcast arrival stamps, and whether (and how) it closed."""

    def __init__(self, socket) -> None:
        self.socket = socket
        self.arrivals: dict[int, float] = {}
        self.sent_at: dict[int, float] = {}
        self.closed_at: float | None = None
        self.close_code: int | None = None
        self.task = asyncio.ensure_future(self.listen())

    async def listen(self) -> None:
        try:
            async for frame in self.socket:
                now = time.time()
                for event in events_in(frame):
                    stamp = event.get("agent", "")
                    if event.get("type") == "agent.typing" and stamp.startswith(BROADCAST_PREFIX):
                        index, sent = stamp.removeprefix(BROADCAST_PREFIX).split()
                        self.arrivals.setdefault(int(index), now)
                        self.sent_at[int(index)] = float(sent)
        except Exception:  # a drop of any kind is what we count
            pass
        self.closed_at = time.time()
        self.close_code = self.socket.close_code


def broadcast(
    stack: harness.Stack, *, first: int, count: int, interval: float, settle: float, listeners: list[Listener]
) -> dict:
    """Pushes events `first`..`first + count - 1` and waits (up to `settle` s) until every socket has them all."""
    indices = range(first, first + count)
    code = PUBLISH.format(first=first, count=count, prefix=BROADCAST_PREFIX, interval=interval)
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=harness.BASE_DIR, env=stack.environment, check=True, capture_output=True,
    )  # fmt: skip
    deadline = time.monotonic() + settle
    while time.monotonic() < deadline and not all(i in each.arrivals for each in listeners for i in indices):
        time.sleep(0.2)
    latencies = [
        (listener.arrivals[index] - listener.sent_at[index]) * 1000
        for listener in listeners
        for index in indices
        if index in listener.arrivals
    ]
    return {
        "sockets": len(listeners),
        "broadcasts": count,
        "arrived": len(latencies),
        "expected": count * len(listeners),
        "latency_ms": harness.percentiles(latencies, (50, 95, 99)),
    }


async def measure(options, server: str) -> dict:
    with harness.stack("agent_connections") as stack:
        cookies = signed_in_agents(stack, options.sockets + 1)
        base_url = stack.start_web(port=harness.free_port(), server=server)
        pid = stack.processes["web"].pid
        [first] = await open_workspace_sockets(base_url, cookies[:1])  # the app loaded, Redis connected
        rss_before = harness.rss_bytes(pid)
        cpu_before = harness.tree_cpu_seconds(pid)
        started = time.monotonic()
        sockets = await open_workspace_sockets(base_url, cookies[1:], at_once=options.at_once)
        connect_seconds = time.monotonic() - started
        connect_cpu = harness.tree_cpu_seconds(pid) - cpu_before
        listeners = [Listener(socket) for socket in sockets]
        await asyncio.sleep(5)
        rss_open = harness.rss_bytes(pid)

        hold_started, cpu_hold = time.monotonic(), harness.tree_cpu_seconds(pid)
        while time.monotonic() - hold_started < options.hold:
            await asyncio.sleep(min(10, options.hold))
            dropped = sum(1 for listener in listeners if listener.closed_at is not None)
            print(f"  {server}: {time.monotonic() - hold_started:.0f} s held, {dropped} dropped", flush=True)
        idle_cpu = harness.tree_cpu_seconds(pid) - cpu_hold
        dropped = [listener for listener in listeners if listener.closed_at is not None]
        rss_held = harness.rss_bytes(pid)

        timing = {"count": options.broadcasts, "interval": options.interval, "settle": options.settle}
        to_all = await asyncio.to_thread(broadcast, stack, first=0, listeners=listeners, **timing)
        for listener in listeners[options.broadcast_sockets :]:
            await listener.socket.close()
        kept = listeners[: options.broadcast_sockets]
        await asyncio.sleep(2)
        to_some = await asyncio.to_thread(broadcast, stack, first=options.broadcasts, listeners=kept, **timing)
        for listener in kept:
            await listener.socket.close()
        await first.close()

    return {
        "server": server,
        "sockets": len(sockets),
        "connect_seconds": round(connect_seconds, 1),
        "connect_cpu_ms_per_socket": round(connect_cpu * 1000 / len(sockets), 2),
        "held_seconds": options.hold,
        "dropped": len(dropped),
        "drop_close_codes": sorted({listener.close_code for listener in dropped}, key=str),
        "rss_before_mib": round(rss_before / 2**20, 1),
        "rss_open_mib": round(rss_open / 2**20, 1),
        "rss_after_hold_mib": round(rss_held / 2**20, 1),
        "kib_per_socket": round((rss_open - rss_before) / len(sockets) / 1024, 1),
        "idle_cpu_percent": round(100 * idle_cpu / options.hold, 2),
        "broadcast_to_all": to_all,
        "broadcast": to_some,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, default=5000, help="idle sockets held by one server process")
    parser.add_argument("--hold", type=float, default=600, help="seconds to hold them idle")
    parser.add_argument("--broadcast-sockets", type=int, default=1000, help="sockets that hear the broadcast")
    parser.add_argument("--broadcasts", type=int, default=20, help="events pushed in each broadcast phase")
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between pushed events")
    parser.add_argument("--settle", type=float, default=30, help="longest wait for a broadcast's last frames")
    parser.add_argument("--servers", default="daphne,uvicorn", help="comma-separated: daphne, uvicorn")
    parser.add_argument("--at-once", type=int, default=100, help="handshakes in flight while connecting")
    parser.add_argument("--name", default="agent_connections", help="results file name")
    options = parser.parse_args()
    open_files = raise_open_files_limit(options.sockets + 1000)

    results = []
    for server in options.servers.split(","):
        own_cpu = harness.own_cpu_seconds()
        figures = asyncio.run(measure(options, server))
        figures["load_generator_cpu_s"] = round(harness.own_cpu_seconds() - own_cpu, 1)
        results.append(figures)
        print(json.dumps(figures, indent=2), flush=True)

    rows = [
        ("sockets held / dropped", lambda f: f"{f['sockets']} / {f['dropped']} in {f['held_seconds']:g} s"),
        ("memory per socket", lambda f: f"{f['kib_per_socket']} KiB; {f['rss_before_mib']}→{f['rss_open_mib']} MiB"),
        ("connect", lambda f: f"{f['connect_seconds']} s, {f['connect_cpu_ms_per_socket']} ms CPU/socket"),
        ("idle CPU", lambda f: f"{f['idle_cpu_percent']} %"),
        ("broadcast to all p50/p95", lambda f: _p(f["broadcast_to_all"])),
        ("broadcast to 1,000 p50/p95", lambda f: _p(f["broadcast"])),
        ("load generator CPU", lambda f: f"{f['load_generator_cpu_s']} s"),
    ]  # fmt: skip
    print(f"\n{'':<28}" + "".join(f"{f['server']:<44}" for f in results))
    for label, value in rows:
        print(f"{label:<28}" + "".join(f"{value(f):<44}" for f in results))
    print(f"(open files limit {open_files}; targets: 0 dropped, broadcast to 1,000 p95 ≤ 250 ms)")
    harness.write_results(options.name, {"runs": results})


def _p(broadcast_figures: dict) -> str:
    latency = broadcast_figures["latency_ms"]
    arrived = f"{broadcast_figures['arrived']}/{broadcast_figures['expected']}"
    return f"{latency.get('p50')} / {latency.get('p95')} ms ({arrived})"


if __name__ == "__main__":
    main()
