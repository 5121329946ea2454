from django.apps import AppConfig
from django.core.cache import cache

FAIL_TWICE = "probe: fail twice"
ALWAYS_FAIL = "probe: always fail"


def heard_key(listener: str, message) -> str:
    """Per message by its channel id: database ids repeat from test to test, the cache outlives them."""
    return f"listener-probe:{listener}:{message.external_id}"


def failing_listener(message) -> None:
    if message.text not in (FAIL_TWICE, ALWAYS_FAIL):
        return
    calls_key = heard_key("failing-calls", message)
    cache.add(calls_key, 0, timeout=600)
    calls = cache.incr(calls_key)
    if message.text == ALWAYS_FAIL or calls <= 2:
        raise RuntimeError(f"probe failure on call {calls}")
    cache.set(heard_key("failing", message), message.text, timeout=600)


def recording_listener(message) -> None:
    cache.set(heard_key("recording", message), message.text, timeout=600)


class ListenerProbesConfig(AppConfig):
    name = "tests.listener_probes"
    label = "listener_probes"

    def ready(self) -> None:
        from interactions.services.listeners import register_inbound_listener

        register_inbound_listener(failing_listener, name="probe.failing")
        register_inbound_listener(recording_listener, name="probe.recording")
