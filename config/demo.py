"""`make demo`: the whole system on the embedded default, as separate processes, with demo data.

Starts the embedded Redis (unless REDIS_URL is set), migrates, seeds users and the demo business number,
then runs daphne, the Graph API emulator and a Celery worker with beat until interrupted. The welcome banner is
printed once each of them is up; if one cannot start, the demo says which and why, stops the rest and exits 1.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from config.embedded_redis import EmbeddedRedisUnavailable, listening, start_embedded_redis, stop_embedded_redis
from config.env import BASE_DIR, EMBEDDED_REDIS_PORT

if TYPE_CHECKING:
    from channels_whatsapp.emulator.client import EmulatorClient

WEB_PORT = int(os.environ.get("DEMO_WEB_PORT", "8000"))
EMULATOR_PORT = int(os.environ.get("DEMO_EMULATOR_PORT", "8010"))
START_TIMEOUT_SECONDS = 60

# The demo's business number. The emulator and the app share these, as Meta and the app would.
DEMO_ENVIRONMENT = {
    "PUBLIC_BASE_URL": f"http://127.0.0.1:{WEB_PORT}",  # article links and the callback URL, on the demo's own port
    "WHATSAPP_GRAPH_API_URL": f"http://127.0.0.1:{EMULATOR_PORT}",
    "WHATSAPP_ACCESS_TOKEN": "demo-access-token",
    "WHATSAPP_APP_SECRET": "demo-app-secret",
    "WHATSAPP_VERIFY_TOKEN": "demo-verify-token",
    "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
    "WHATSAPP_DISPLAY_PHONE_NUMBER": "+1 555 010 0100",
    "WHATSAPP_WABA_ID": "102290129340398",
}

# A second number of the same app, known to the emulator only: an admin adds it in the admin and tests its connection.
DEMO_SECOND_NUMBER = {
    "phone_number_id": "106540352242933",
    "display_phone_number": "+1 555 010 0200",
    "waba_id": "102290129340398",
    "access_token": "demo-access-token-2",
    "app_secret": "demo-app-secret",
    "verified_name": "WhatsDesk Demo Returns",
}


class DemoCannotStart(Exception):
    """One part of the demo cannot start; the message names it and says why."""


@dataclass(frozen=True, kw_only=True)
class DemoProcess:
    """A process of the demo and how to tell that it is up: its port listens, or its log shows `ready_mark`."""

    name: str
    label: str
    command: list[str]
    port: int | None = None
    port_variable: str = ""
    ready_mark: str = ""


@dataclass(frozen=True, kw_only=True)
class Running:
    process: DemoProcess
    popen: subprocess.Popen
    log: Path
    logged_before: int  # where this run's lines begin in the log


def _manage(command: str, *args: str) -> None:
    if subprocess.run([sys.executable, "manage.py", command, *args], cwd=BASE_DIR, check=False).returncode != 0:
        raise DemoCannotStart(f"`manage.py {command}` failed; see its output above")


def _port_is_free(port: int) -> bool:
    """Whether daphne or the emulator could bind it, as they do: loopback, with SO_REUSEADDR."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _demo_processes(var: Path) -> list[DemoProcess]:
    python = sys.executable
    return [
        DemoProcess(
            name="web", label="web server", port=WEB_PORT, port_variable="DEMO_WEB_PORT",
            command=[python, "-m", "daphne", "-b", "127.0.0.1", "-p", str(WEB_PORT), "config.asgi:application"],
        ),
        DemoProcess(
            name="emulator", label="Graph API emulator", port=EMULATOR_PORT, port_variable="DEMO_EMULATOR_PORT",
            command=[
                python, "manage.py", "whatsapp_emulator", "--port", str(EMULATOR_PORT),
                "--webhook-url", f"http://127.0.0.1:{WEB_PORT}/webhooks/whatsapp/",
                "--numbers-file", str(var / "demo-numbers.json"),
            ],
        ),
        DemoProcess(
            name="worker", label="Celery worker", ready_mark=" ready.",
            command=[
                python, "-m", "celery", "-A", "config", "worker", "--beat", "--loglevel", "INFO",
                "--queues", "webhooks,outbound,default", "--concurrency", "2",
                "--schedule", str(var / "celerybeat-schedule"),
            ],
        ),
    ]  # fmt: skip


def _start(process: DemoProcess, var: Path) -> Running:
    log = var / f"{process.name}.log"
    logged_before = log.stat().st_size if log.exists() else 0
    with log.open("ab") as handle:
        popen = subprocess.Popen(process.command, cwd=BASE_DIR, stdout=handle, stderr=subprocess.STDOUT)
    return Running(process=process, popen=popen, log=log, logged_before=logged_before)


def _wait_until_up(running: Running) -> None:
    label, popen, log = running.process.label, running.popen, running.log
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not _is_up(running):
        if popen.poll() is not None:
            raise DemoCannotStart(
                f"{label}: stopped at start-up (exit code {popen.returncode}); see {log}:\n"
                + _tail(log, running.logged_before)
            )
        if time.monotonic() > deadline:
            raise DemoCannotStart(f"{label}: not up after {START_TIMEOUT_SECONDS} s; see {log}")
        time.sleep(0.2)


def _is_up(running: Running) -> bool:
    if running.process.port is not None:
        return listening(running.process.port)
    return running.process.ready_mark in _tail(running.log, running.logged_before, lines=None)


def _tail(log: Path, offset: int, lines: int | None = 10) -> str:
    with log.open("rb") as handle:
        handle.seek(offset)
        text = handle.read().decode(errors="replace")
    return text if lines is None else "\n".join(text.splitlines()[-lines:])


def _stop(children: list[Running], redis: subprocess.Popen | None) -> None:
    for child in reversed(children):
        child.popen.terminate()
    for child in children:
        try:
            child.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.popen.kill()
            child.popen.wait()
    if redis is not None:
        stop_embedded_redis(redis)


def main() -> None:
    for name, value in DEMO_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    var = BASE_DIR / "var"
    var.mkdir(exist_ok=True)
    redis: subprocess.Popen | None = None
    children: list[Running] = []
    try:
        processes = _demo_processes(var)
        for process in processes:  # before anything starts, so nothing is left half-started
            if process.port is not None and not _port_is_free(process.port):
                raise DemoCannotStart(
                    f"{process.label}: port {process.port} is already in use; set {process.port_variable}"
                )
        if "REDIS_URL" not in os.environ:
            try:
                redis = start_embedded_redis(
                    port=EMBEDDED_REDIS_PORT, log_file=var / "redis.log", port_variable="EMBEDDED_REDIS_PORT"
                )
            except EmbeddedRedisUnavailable as refusal:
                raise DemoCannotStart(f"embedded Redis: {refusal}") from refusal
        _manage("migrate", "--noinput")
        _manage("seed_demo")
        _manage("seed_routing_demo")  # queues, rules, a supervisor; after the users it assigns
        _manage("seed_customer_service_demo")  # knowledge, catalog, and contacts matching DEMO_CUSTOMERS
        _manage("seed_canned_responses_demo")  # the composer's / menu
        _manage("seed_virtual_agent_demo")  # it answers every new conversation first; after the queues
        _manage("sync_whatsapp_number")
        (var / "demo-numbers.json").write_text(json.dumps([DEMO_SECOND_NUMBER]))
        for process in processes:
            children.append(_start(process, var))
            _wait_until_up(children[-1])
        _start_demo_conversations(var)
        _manage("sync_message_templates")  # at once; the beat task keeps them current from here on
    except DemoCannotStart as failure:
        print(f"The demo cannot start. {failure}\nStopping the rest.", file=sys.stderr, flush=True)
        _stop(children, redis)
        sys.exit(1)
    except BaseException:  # Ctrl-C while starting, or a bug: leave nothing running
        _stop(children, redis)
        raise
    _print_welcome(var)
    one_stopped = _wait_until_stopped(children)
    _stop(children, redis)
    if one_stopped:
        sys.exit(1)


@dataclass(frozen=True, kw_only=True)
class DemoPhoto:
    """A photo a demo customer sends (from config/demo_media/)."""

    file: str


@dataclass(frozen=True, kw_only=True)
class DemoCustomer:
    """A customer who writes in when the demo starts, through the emulator as real customers do: each line once the
    business has answered the one before, as a person would."""

    wa_id: str
    name: str
    lines: tuple[str | DemoPhoto, ...]


# Daniel reports a problem with the virtual agent, sends a photo of it and says goodbye: his next "Hello" is greeted
# by name, "status" shows the case he opened, and his record shows the photo. Priya asks for a person: an agent has
# her offer, with what the bot collected.
DEMO_CUSTOMERS = (
    DemoCustomer(
        wa_id="4915112345678",
        name="Daniel Weber",
        lines=(
            "The armrest of the office chair I got yesterday is broken.",
            DemoPhoto(file="broken-chair.png"),
            "bye",
        ),
    ),
    DemoCustomer(
        wa_id="447700900123",
        name="Priya Raman",
        lines=("Hello, how do I change the delivery address of order 8841?", "I'd like to talk to a person"),
    ),
)
REPLY_WAIT_SECONDS = 30


def play_demo_customers(emulator: "EmulatorClient") -> list[str]:
    """Plays DEMO_CUSTOMERS; returns what went wrong (a line nobody answered), which the demo prints and goes on: a
    conversation left half-way never stops the demo."""
    problems = []
    for customer in DEMO_CUSTOMERS:
        answered = len(emulator.sent_messages(customer.wa_id))
        for line in customer.lines:
            if isinstance(line, DemoPhoto):
                photo = (BASE_DIR / "config" / "demo_media" / line.file).read_bytes()
                emulator.customer_sends_media(customer.wa_id, "image", photo, "image/png", name=customer.name)
            else:
                emulator.customer_sends(customer.wa_id, line, name=customer.name)
            answered += 1
            if len(emulator.sent_messages(customer.wa_id, min_count=answered, timeout=REPLY_WAIT_SECONDS)) < answered:
                problems.append(f"{customer.name}: no answer to {line!r} within {REPLY_WAIT_SECONDS} s")
                break
    return problems


def _start_demo_conversations(var: Path) -> None:
    """Once per demo database (a marker beside it in var/), so restarting the demo does not repeat them."""
    from channels_whatsapp.emulator.client import EmulatorClient

    marker = var / "demo-conversations-started"
    if marker.exists() or "DATABASE_URL" in os.environ:
        return
    marker.touch()
    for problem in play_demo_customers(EmulatorClient(f"http://127.0.0.1:{EMULATOR_PORT}")):
        print(f"A demo conversation stopped half-way: {problem}; see {var}/worker.log", file=sys.stderr, flush=True)


def _print_welcome(var: Path) -> None:
    second = DEMO_SECOND_NUMBER
    print(
        f"""
WhatsDesk is running (logs in {var}/):
  Agent workspace   http://127.0.0.1:{WEB_PORT}/workspace/   agent1 / agent1   (agent2 / agent2)
  Supervisor        http://127.0.0.1:{WEB_PORT}/supervisor/  supervisor / supervisor
  Admin             http://127.0.0.1:{WEB_PORT}/admin/       admin / admin     (manager / manager)
  Customer phone    http://127.0.0.1:{EMULATOR_PORT}/            play the WhatsApp customer here
  Meta controls     http://127.0.0.1:{EMULATOR_PORT}/controls    revoke the token, flag quality, pause templates
  API schema        http://127.0.0.1:{WEB_PORT}/api/schema/
  API docs          http://127.0.0.1:{WEB_PORT}/api/docs/
A second number to add in the admin (Business numbers → Add), then "Test connection":
  phone number id {second["phone_number_id"]}, WABA id {second["waba_id"]}, access token {second["access_token"]},
  app secret {second["app_secret"]}
A day passes for one customer (their 24-hour window closes, templates only):
  {sys.executable} manage.py close_service_window 4915112345678 --emulator-url http://127.0.0.1:{EMULATOR_PORT}
Press Ctrl-C to stop.""",
        flush=True,
    )


def _wait_until_stopped(children: list[Running]) -> bool:
    """Until Ctrl-C (or SIGTERM), or until one of the processes stops by itself; says whether one did."""
    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping:
        stopped = next((child for child in children if child.popen.poll() is not None), None)
        if stopped is not None:
            print(
                f"{stopped.process.label} stopped unexpectedly (exit code {stopped.popen.returncode}); "
                f"see {stopped.log}. Stopping the rest.",
                file=sys.stderr,
                flush=True,
            )
            return True
        time.sleep(0.5)
    return False


if __name__ == "__main__":
    main()
