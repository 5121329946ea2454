"""Workspace and API reads on a large database: the open list, an interaction's first page, an earlier page and a
catch-up, each timed over HTTP against a running server as a signed-in agent, with its number of SQL queries.

Fills a fresh PostgreSQL database in SQL (bench/hot_queries.py: INSERT … SELECT generate_series, every message
shape the timeline shows), starts daphne (or uvicorn), signs an agent in and asks each read `--requests` times
in turn over one keep-alive connection, each time for another open interaction. The queries are counted in this
process, through the same views, at several page sizes: a count that grows with the page is an N+1.

    flock /work/wt/bench.lock env DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/reads.py
    .venv/bin/python bench/reads.py --interactions 5000 --requests 100   # a quick look while developing

Target (issue 8): with 100,000 interactions and 5 million messages, each read p99 ≤ 50 ms and a constant number
of queries.
"""

import argparse
import http.client
import os
import random
import re
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass

import harness
from profiling import print_top, profiled

TARGET_P99_MS = 50


@dataclass(frozen=True, slots=True)
class Read:
    name: str
    path: Callable[[object], str]  # the address for one interaction (ignored by the list)
    sizes: dict[str, Callable[[object], str]]  # variants whose query counts must be equal


def reads(long_interaction, *, first_customer: int) -> list[Read]:
    """What the workspace asks (static/workspace/store.js, outreach.js) and the API's detail, by the paths
    they use; a customer is searched for by the name the fill gave them."""
    messages = "/api/v1/interactions/{}/messages/".format
    long = long_interaction
    earlier = (long.last_sequence - 1000) // 10 * 10 + 3
    return [
        Read(
            "open list (workspace)",
            lambda _: "/api/v1/interactions/?state=open&limit=50",
            {
                "limit=5": lambda _: "/api/v1/interactions/?state=open&limit=5",
                "limit=50": lambda _: "/api/v1/interactions/?state=open&limit=50",
            },
        ),
        Read(
            "next page (scrolled)",
            lambda _: "/api/v1/interactions/?state=open&limit=50&offset=40",
            {
                "limit=5": lambda _: "/api/v1/interactions/?state=open&limit=5&offset=40",
                "limit=50": lambda _: "/api/v1/interactions/?state=open&limit=50&offset=40",
            },
        ),
        Read(
            "open list (API, 200)",
            lambda _: "/api/v1/interactions/?state=open&limit=200",
            {
                "limit=5": lambda _: "/api/v1/interactions/?state=open&limit=5",
                "limit=200": lambda _: "/api/v1/interactions/?state=open&limit=200",
            },
        ),
        Read(
            "first page (workspace)",
            lambda i: messages(i.pk),
            {
                "limit=5": lambda _: messages(long.pk) + "?limit=5",
                "limit=50": lambda _: messages(long.pk) + "?limit=50",
                "limit=200": lambda _: messages(long.pk) + "?limit=200",
            },
        ),
        Read(
            "detail (API)",
            lambda i: f"/api/v1/interactions/{i.pk}/",
            {
                "short": lambda i: f"/api/v1/interactions/{i.pk}/",
                "long": lambda _: f"/api/v1/interactions/{long.pk}/",
            },
        ),
        Read(
            "earlier page",
            lambda i: messages(i.pk) + f"?before={max(i.last_sequence - 10, 1)}",
            {  # from a message with a link, so that even 5 messages read their previews
                "limit=5": lambda _: messages(long.pk) + f"?before={earlier}&limit=5",
                "limit=200": lambda _: messages(long.pk) + f"?before={earlier}&limit=200",
            },
        ),
        Read(
            "customer search",
            lambda i: f"/api/v1/channel-users/?search=Customer+{i.channel_user_id - first_customer + 1}",
            {
                "one": lambda _: "/api/v1/channel-users/?search=Customer+4242",
                "twenty": lambda _: "/api/v1/channel-users/?search=Customer+424",  # 111 match
            },
        ),
        Read(
            "catch-up",
            lambda i: messages(i.pk) + f"?after_revision={max(i.revision - 5, 0)}",
            {
                "5 changes": lambda _: messages(long.pk) + f"?after_revision={long.revision - 5}",
                "500 changes": lambda _: messages(long.pk) + f"?after_revision={long.revision - 600}",
            },
        ),
    ]


def query_counts(read: Read, client, interaction) -> dict[str, dict[str, float]]:
    """Queries (and their database time) per variant, counted in this process through the same views."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for variant, path in read.sizes.items():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path(interaction))
        assert response.status_code == 200, (path(interaction), response.status_code)
        database_ms = sum(float(query["time"]) for query in captured.captured_queries) * 1000
        counts[variant] = {"queries": len(captured), "database_ms": round(database_ms, 2)}
    return counts


def timed(base_url: str, cookie: str, paths: list[str]) -> list[float]:
    """Milliseconds per request, one after another over one keep-alive connection, as one browser tab would."""
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    samples = []
    for path in paths:
        started = time.perf_counter()
        connection.request("GET", path, headers={"Cookie": cookie, "Accept": "application/json"})
        response = connection.getresponse()
        response.read()
        samples.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}")
    connection.close()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--interactions", type=int, default=100_000)
    parser.add_argument("--messages-per-interaction", type=int, default=50, help="5 million messages at 100,000")
    parser.add_argument("--requests", type=int, default=500, help="per read, after a warm-up of a tenth as many")
    parser.add_argument("--server", choices=["daphne", "uvicorn"], default="daphne")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--profile", action="store_true", help="py-spy the server while each read is timed")
    arguments = parser.parse_args()

    # The per-user API throttle still counts every request (its cost is part of each read); it just never refuses.
    with harness.stack("reads", extra_environment={"API_THROTTLE_USER_RATE": "100000000/minute"}) as running:
        os.environ.update(running.environment)
        import django

        django.setup()
        from django.db import connection
        from django.test import Client

        from bench.hot_queries import OPEN_SHARE, fill_and_vacuum
        from interactions.models import OPEN_STATES, ChannelUser, Interaction, Message

        started = time.monotonic()
        sample = fill_and_vacuum(
            interactions=arguments.interactions, messages_per_interaction=arguments.messages_per_interaction
        )
        fill_seconds = time.monotonic() - started
        message_count = Message.objects.count()
        print(
            f"Filled {arguments.interactions:,} interactions ({OPEN_SHARE:.0%} open) and {message_count:,} messages "
            f"in {fill_seconds:.0f} s.",
            flush=True,
        )

        client = Client()
        client.force_login(sample.reader)
        cookie = f"sessionid={client.cookies['sessionid'].value}"
        randomly = random.Random(arguments.seed)
        open_ids = list(Interaction.objects.filter(state__in=OPEN_STATES).values_list("pk", flat=True))
        chosen = Interaction.objects.in_bulk(randomly.sample(open_ids, min(200, len(open_ids))))
        interactions = list(chosen.values())
        first_customer = ChannelUser.objects.order_by("pk").values_list("pk", flat=True).first()
        connection.close()

        base_url = running.start_web(port=harness.free_port(), server=arguments.server)
        web_pid = running.processes["web"].pid
        results, rows = {}, []
        for read in reads(sample.long_interaction, first_customer=first_customer):
            counts = query_counts(read, client, interactions[0])
            warm_up = [read.path(randomly.choice(interactions)) for _ in range(max(arguments.requests // 10, 5))]
            timed(base_url, cookie, warm_up)
            paths = [read.path(randomly.choice(interactions)) for _ in range(arguments.requests)]
            cpu_before, own_before, wall_before = (
                harness.tree_cpu_seconds(web_pid),
                harness.own_cpu_seconds(),
                time.monotonic(),
            )
            raw = running.workdir / (re.sub(r"\W+", "-", read.name).strip("-") + ".raw")
            with profiled(web_pid, raw, gil=True) if arguments.profile else nullcontext() as profile:
                samples = timed(base_url, cookie, paths)
            wall = time.monotonic() - wall_before
            server_cpu_ms = (harness.tree_cpu_seconds(web_pid) - cpu_before) * 1000 / len(paths)
            own_cpu_ms = (harness.own_cpu_seconds() - own_before) * 1000 / len(paths)
            latency = harness.percentiles(samples)
            constant = len({variant["queries"] for variant in counts.values()}) == 1
            results[read.name] = {
                "latency_ms": latency,
                "requests": len(paths),
                "requests_per_second": round(len(paths) / wall, 1),
                "server_cpu_ms_per_request": round(server_cpu_ms, 2),
                "load_generator_cpu_ms_per_request": round(own_cpu_ms, 2),
                "queries": counts,
                "queries_constant": constant,
                "meets_target": latency["p99"] <= TARGET_P99_MS and constant,
            }
            if profile is not None:
                results[read.name]["profile"] = profile.summary()
            rows.append((read.name, latency, len(paths) / wall, server_cpu_ms, own_cpu_ms, counts, constant))
            print(f"  {read.name}: p50 {latency['p50']} ms, p99 {latency['p99']} ms", flush=True)

    print(f"\n{'read':<24}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'req/s':>7}{'srv CPU ms':>11}{'gen CPU ms':>11}"
          f"  queries (by page size)")  # fmt: skip
    for name, latency, rate, server_cpu_ms, own_cpu_ms, counts, constant in rows:
        sizes = ", ".join(f"{variant}: {figures['queries']}" for variant, figures in counts.items())
        print(
            f"{name:<24}{latency['p50']:>8}{latency['p99']:>8}{latency['max']:>8}{rate:>7.0f}{server_cpu_ms:>11.1f}"
            f"{own_cpu_ms:>11.1f}  {sizes}{'' if constant else '  NOT CONSTANT'}"
        )
    print(f"Target: p99 ≤ {TARGET_P99_MS} ms and the same number of queries whatever the page size.")
    print("Load average (1, 5, 15 min): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    for name, figures in results.items():
        if profile := figures.get("profile"):
            print_top(f"{name}, the server", profile)
    harness.write_results(
        "reads",
        {
            "interactions": arguments.interactions,
            "messages": message_count,
            "fill_seconds": round(fill_seconds),
            "server": arguments.server,
            "target_p99_ms": TARGET_P99_MS,
            "load_average_at_end": os.getloadavg(),  # other work on the machine moves the latencies, not the CPU
            "reads": results,
        },
    )


if __name__ == "__main__":
    main()
