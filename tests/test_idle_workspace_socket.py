"""An agent's workspace left open and idle keeps its live connection, on the real Redis and the real daphne."""

import json

import pytest

from tests.factories import ChannelUserFactory, InteractionFactory, agent_holding
from tests.test_conversation import CUSTOMER, next_pushed, workspace_socket
from tests.test_resilience import start_web_process

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Daphne pings an idle socket after 20 s unless told otherwise: this web server pings after PING_SECONDS, so an idle
# wait beyond redis-py's 5 s default socket timeout also spans its pings, without waiting out the default.
PING_SECONDS = 3
IDLE_SECONDS = 8


def test_an_idle_workspace_socket_stays_open_and_the_web_server_logs_no_error(live_system):
    web_url = start_web_process(live_system, "web-pinging", "--ping-interval", str(PING_SECONDS))
    web_log = live_system.logs["web-pinging"]
    logged_before = web_log.stat().st_size  # the log of earlier runs, once this server has started
    person = agent_holding(InteractionFactory(channel_user=ChannelUserFactory(external_id=CUSTOMER)))
    # No client pings: the browser sends none either, so only the server keeps the connection alive.
    with workspace_socket(live_system, person, web_url=web_url, ping_interval=None) as socket:
        assert json.loads(socket.recv(timeout=10))["type"] == "hello"

        with pytest.raises(TimeoutError):  # a closed socket raises ConnectionClosed instead
            socket.recv(timeout=IDLE_SECONDS)

        socket.send(json.dumps({"type": "ping"}))
        assert json.loads(socket.recv(timeout=10)) == {"type": "pong"}
        live_system.emulator.customer_sends(CUSTOMER, "Still there?", name="Sheena Nelson")
        assert next_pushed(socket, "message.changed")["message"]["text"] == "Still there?"

    with web_log.open("rb") as log:
        log.seek(logged_before)
        logged = log.read().decode(errors="replace")
    live_system.stop("web-pinging")
    assert "Traceback" not in logged, logged
    assert " ERROR " not in logged, logged
