"""`make demo`: the whole system on the embedded default, as separate processes, with demo data.

Starts the embedded Redis (unless REDIS_URL is set), migrates, seeds users and the demo business number,
then runs daphne, a Celery worker with beat, and the Graph API emulator until interrupted.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from config.embedded_redis import start_embedded_redis
from config.env import BASE_DIR, EMBEDDED_REDIS_PORT

WEB_PORT = int(os.environ.get("DEMO_WEB_PORT", "8000"))
EMULATOR_PORT = int(os.environ.get("DEMO_EMULATOR_PORT", "8010"))

# The demo's business number. The emulator and the app share these, as Meta and the app would.
DEMO_ENVIRONMENT = {
    "WHATSAPP_GRAPH_API_URL": f"http://127.0.0.1:{EMULATOR_PORT}",
    "WHATSAPP_ACCESS_TOKEN": "demo-access-token",
    "WHATSAPP_APP_SECRET": "demo-app-secret",
    "WHATSAPP_VERIFY_TOKEN": "demo-verify-token",
    "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
    "WHATSAPP_DISPLAY_PHONE_NUMBER": "+1 555 010 0100",
    "WHATSAPP_WABA_ID": "102290129340398",
}


def _run(*args: str) -> None:
    subprocess.run([sys.executable, *args], cwd=BASE_DIR, check=True)


def main() -> None:
    for name, value in DEMO_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    var = BASE_DIR / "var"
    var.mkdir(exist_ok=True)
    children: list[subprocess.Popen] = []
    if "REDIS_URL" not in os.environ:
        redis = start_embedded_redis(port=EMBEDDED_REDIS_PORT, log_file=var / "redis.log")
        if redis is not None:
            children.append(redis)
    _run("manage.py", "migrate", "--noinput")
    _run("manage.py", "seed_demo")
    _run("manage.py", "sync_whatsapp_number")
    python = sys.executable
    commands = {
        "web": [python, "-m", "daphne", "-b", "127.0.0.1", "-p", str(WEB_PORT), "config.asgi:application"],
        "worker": [
            python, "-m", "celery", "-A", "config", "worker", "--beat", "--loglevel", "INFO",
            "--queues", "webhooks,outbound,default", "--concurrency", "2",
            "--schedule", str(var / "celerybeat-schedule"),
        ],
        "emulator": [
            python, "manage.py", "whatsapp_emulator", "--port", str(EMULATOR_PORT),
            "--webhook-url", f"http://127.0.0.1:{WEB_PORT}/webhooks/whatsapp/",
        ],
    }  # fmt: skip
    for name, command in commands.items():
        log = open(var / f"{name}.log", "ab")  # noqa: SIM115 - open for the child's lifetime
        children.append(subprocess.Popen(command, cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT))
    _start_demo_conversations(var)
    _sync_templates()
    _print_welcome(var)
    _wait_and_stop(children)


# Customers who write in when the demo starts, through the emulator as real customers would.
DEMO_CUSTOMERS = [
    ("4915112345678", "Daniel Weber", "Hi! The armrest of the office chair I got yesterday is broken."),
    ("447700900123", "Priya Raman", "Hello, can I change the delivery address of order 8841?"),
]


def _start_demo_conversations(var: Path) -> None:
    """Once per demo database (a marker beside it in var/), so restarting the demo does not repeat them."""
    from channels_whatsapp.emulator.client import EmulatorClient

    marker = var / "demo-conversations-started"
    if marker.exists() or "DATABASE_URL" in os.environ:
        return
    emulator = EmulatorClient(f"http://127.0.0.1:{EMULATOR_PORT}")
    deadline = time.monotonic() + 30
    while not emulator.is_healthy():
        if time.monotonic() > deadline:
            print("the emulator did not start; see var/emulator.log", flush=True)
            return
        time.sleep(0.2)
    for wa_id, name, text in DEMO_CUSTOMERS:
        emulator.customer_sends(wa_id, text, name=name)
    marker.touch()


def _sync_templates() -> None:
    """The emulator's templates, at once; the beat task keeps them current from here on."""
    from channels_whatsapp.emulator.client import EmulatorClient

    emulator = EmulatorClient(f"http://127.0.0.1:{EMULATOR_PORT}")
    deadline = time.monotonic() + 30
    while not emulator.is_healthy() and time.monotonic() < deadline:
        time.sleep(0.2)
    subprocess.run([sys.executable, "manage.py", "sync_message_templates"], cwd=BASE_DIR, check=False)


def _print_welcome(var: Path) -> None:
    print(
        f"""
WhatsDesk is running (logs in {var}/):
  Agent workspace   http://127.0.0.1:{WEB_PORT}/workspace/   agent1 / agent1   (agent2 / agent2)
  Admin             http://127.0.0.1:{WEB_PORT}/admin/       admin / admin     (manager / manager)
  Customer phone    http://127.0.0.1:{EMULATOR_PORT}/            play the WhatsApp customer here
  API schema        http://127.0.0.1:{WEB_PORT}/api/schema/
A day passes for one customer (their 24-hour window closes, templates only):
  {sys.executable} manage.py close_service_window 4915112345678 --emulator-url http://127.0.0.1:{EMULATOR_PORT}
Press Ctrl-C to stop.""",
        flush=True,
    )


def _wait_and_stop(children: list[subprocess.Popen]) -> None:
    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping:
        if any(child.poll() is not None for child in children):
            print("a process stopped unexpectedly; see the logs in var/. Stopping the rest.", flush=True)
            break
        time.sleep(0.5)
    for child in reversed(children):
        child.terminate()
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()


if __name__ == "__main__":
    main()
