"""How fast the webhook answers Meta, and how soon the worker has applied what it stored.

Meta's standard for webhook endpoints: a median answer within 250 ms and under 1% over 1 s, with concurrent
deliveries. This starts daphne and a Celery worker on the configured database and Redis (the embedded
defaults unless DATABASE_URL / REDIS_URL are set), posts signed text-message deliveries from several threads,
and prints latency percentiles, throughput and the time until every message is recorded.

    .venv/bin/python bench/webhook_latency.py --deliveries 500 --concurrency 8
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from channels_whatsapp.signature import SIGNATURE_HEADER, signature_header_value  # noqa: E402
from config.embedded_redis import start_embedded_redis, stop_embedded_redis  # noqa: E402
from config.env import EMBEDDED_REDIS_PORT  # noqa: E402

APP_SECRET = "bench-app-secret"
PHONE_NUMBER_ID = "100000000000001"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def delivery(index: int) -> bytes:
    wa_id = f"1555{index % 50:07d}"  # 50 customers, so interactions are shared as in real traffic
    message = {
        "from": wa_id,
        "id": f"wamid.bench-{uuid.uuid4().hex}",
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": f"benchmark message {index}"},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000001", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": f"Customer {index % 50}"}, "wa_id": wa_id}],
        "messages": [message],
    }
    document = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(document).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deliveries", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="whatsdesk-bench-"))
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_ACCESS_TOKEN": "bench-token",
        "WHATSAPP_VERIFY_TOKEN": "bench-verify",
    }
    environment.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    redis = None  # started here, so stopped here; an embedded Redis already running is left to its owner
    if "REDIS_URL" not in os.environ:
        redis = start_embedded_redis(
            port=EMBEDDED_REDIS_PORT, log_file=workdir / "redis.log", port_variable="EMBEDDED_REDIS_PORT"
        )
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=BASE_DIR, env=environment, check=True)
    port = free_port()
    logs = [(workdir / name).open("wb") for name in ("web.log", "worker.log")]
    processes = [
        subprocess.Popen(
            [python, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
            cwd=BASE_DIR, env=environment, stdout=logs[0], stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(
            [python, "-m", "celery", "-A", "config", "worker", "-Q", "webhooks", "-c", "2", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
            cwd=BASE_DIR, env=environment, stdout=logs[1], stderr=subprocess.STDOUT,
        ),
    ]  # fmt: skip
    url = f"http://127.0.0.1:{port}/webhooks/whatsapp/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(url, timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        session = requests.Session()

        def post(index: int) -> tuple[float, int]:
            body = delivery(index)
            headers = {
                "Content-Type": "application/json",
                SIGNATURE_HEADER: signature_header_value(body=body, app_secret=APP_SECRET),
            }
            started = time.perf_counter()
            response = session.post(url, data=body, headers=headers, timeout=30)
            return time.perf_counter() - started, response.status_code

        started = time.perf_counter()
        with ThreadPoolExecutor(options.concurrency) as pool:
            results = list(pool.map(post, range(options.deliveries)))
        answered = time.perf_counter() - started
        processed = _wait_until_recorded(environment, options.deliveries)
        latencies = sorted(seconds * 1000 for seconds, _ in results)
        failures = sum(1 for _, status in results if status != 200)
        quantiles = statistics.quantiles(latencies, n=100)
        print(f"database          {environment['DATABASE_URL'].split(':')[0]}")
        print(f"deliveries        {options.deliveries} from {options.concurrency} threads, {failures} not answered 200")
        print(f"answer latency    p50 {quantiles[49]:.1f} ms   p95 {quantiles[94]:.1f} ms   p99 {quantiles[98]:.1f} ms")
        print(f"over 1 s          {sum(1 for ms in latencies if ms > 1000) / len(latencies):.1%}")
        print(f"throughput        {options.deliveries / answered:.0f} deliveries/s answered")
        print(f"all recorded in   {processed:.1f} s after the first post")
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=15)
        if redis is not None:
            stop_embedded_redis(redis)


def _wait_until_recorded(environment: dict, expected: int) -> float:
    started = time.perf_counter()
    code = (
        "from interactions.models import Message; print(Message.objects.filter(text__startswith='benchmark').count())"
    )
    while True:
        count = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=BASE_DIR, env=environment, capture_output=True, text=True, check=True,
        ).stdout.strip().splitlines()[-1]  # fmt: skip
        if int(count) >= expected or time.perf_counter() - started > 300:
            return time.perf_counter() - started
        time.sleep(0.5)


if __name__ == "__main__":
    main()
