"""Guessing is slowed down: failed sign-ins lock a username and address out for a while (workspace and admin),
and the API answers 429 past its rates. Both counters live in the real Redis; both are hints, so while the cache
is unreachable sign-in and the API still work."""

import socket
import time

import pytest
from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory, agent

pytestmark = pytest.mark.django_db

LOGIN_PAGES = ["/login/", "/admin/login/"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cache_unreachable():
    return override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            }
        }
    )


def sign_in(url: str, username: str, password: str, address: str = "10.1.1.1"):
    return Client().post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(response) -> bool:
    return response.status_code == 302


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_after_repeated_failures_even_the_right_password_is_refused_for_a_while(url):
    person = UserFactory(is_staff=True)

    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert sign_in(url, person.username, "wrong").status_code == 200
    locked = sign_in(url, person.username, "password")

    assert not signed_in(locked)
    assert f"Try again in {settings.LOGIN_LOCKOUT_MINUTES} minutes" in locked.content.decode()
    assert signed_in(sign_in(url, person.username, "password", address="10.2.2.2"))  # not from everywhere


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_a_successful_sign_in_forgets_earlier_failures(url):
    person = UserFactory(is_staff=True)

    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        sign_in(url, person.username, "wrong")
    assert signed_in(sign_in(url, person.username, "password"))
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        sign_in(url, person.username, "wrong")

    assert signed_in(sign_in(url, person.username, "password"))


@override_settings(LOGIN_LOCKOUT_MINUTES=0.02)  # 1 s in Redis (whole seconds)
def test_the_lockout_ends_by_itself_after_its_cool_off():
    person = UserFactory(is_staff=True)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in("/login/", person.username, "wrong")
    assert not signed_in(sign_in("/login/", person.username, "password"))

    time.sleep(1.5)

    assert signed_in(sign_in("/login/", person.username, "password"))


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_sign_in_works_while_the_cache_is_unreachable(url):
    person = UserFactory(is_staff=True)

    with cache_unreachable():
        for _ in range(settings.LOGIN_FAILURE_LIMIT + 1):
            assert sign_in(url, person.username, "wrong").status_code == 200
        assert signed_in(sign_in(url, person.username, "password"))


@pytest.fixture(autouse=True)
def fresh_counters():
    """SQLite reuses the ids of rolled-back users, so an earlier test's requests could count against this one's."""
    cache.delete_many([f"throttle_user_{user_id}" for user_id in range(1, 1000)] + ["throttle_anon_10.3.3.3"])


def api_rates(user: str, anon: str):
    return override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": user, "anon": anon}}
    )


def test_the_api_answers_429_with_retry_after_past_a_users_rate():
    busy, other = agent(), agent()

    with api_rates(user="3/minute", anon="100/minute"):
        client = Client(headers={"Authorization": f"Token {Token.objects.create(user=busy).key}"})
        answers = [client.get("/api/v1/interactions/").status_code for _ in range(4)]
        throttled = client.get("/api/v1/interactions/")
        other_client = Client(headers={"Authorization": f"Token {Token.objects.create(user=other).key}"})
        unaffected = other_client.get("/api/v1/interactions/")

    assert answers == [200, 200, 200, 429]
    assert int(throttled["Retry-After"]) > 0 and "throttled" in throttled.json()["detail"]
    assert unaffected.status_code == 200


def test_anonymous_api_requests_are_throttled_per_address():
    """What anyone may read (the schema) is throttled per address; the rest answers 401 before any work."""
    with api_rates(user="100/minute", anon="2/minute"):
        answers = [Client(REMOTE_ADDR="10.3.3.3").get("/api/schema/").status_code for _ in range(3)]
        elsewhere = Client(REMOTE_ADDR="10.4.4.4").get("/api/schema/").status_code

    assert (answers, elsewhere) == ([200, 200, 429], 200)


def test_the_api_works_unthrottled_while_the_cache_is_unreachable():
    client = Client(headers={"Authorization": f"Token {Token.objects.create(user=agent()).key}"})

    with api_rates(user="1/minute", anon="1/minute"), cache_unreachable():
        answers = [client.get("/api/v1/interactions/").status_code for _ in range(3)]

    assert answers == [200, 200, 200]


@override_settings(LOGIN_FAILURE_LIMIT_PER_USER=4)
def test_one_username_guessed_from_many_addresses_is_refused_from_everywhere():
    person, colleague = UserFactory(is_staff=True), UserFactory(is_staff=True)

    for number in range(4):  # each address stays under the limit per pair
        sign_in("/login/", person.username, "wrong", address=f"10.5.5.{number}")

    assert not signed_in(sign_in("/admin/login/", person.username, "password", address="10.6.6.6"))
    assert signed_in(sign_in("/login/", colleague.username, "password", address="10.6.6.6"))


@override_settings(LOGIN_FAILURE_LIMIT_PER_USER=0, LOGIN_FAILURE_LIMIT=100)
def test_a_per_user_limit_of_0_switches_that_lockout_off():
    person = UserFactory(is_staff=True)

    for number in range(40):
        sign_in("/login/", person.username, "wrong", address=f"10.7.7.{number}")

    assert signed_in(sign_in("/login/", person.username, "password", address="10.8.8.8"))


@override_settings(LOGIN_FAILURE_LIMIT_PER_ADDRESS=0)
def test_a_per_address_limit_of_0_switches_that_lockout_off():
    people = [UserFactory(is_staff=True) for _ in range(3)]

    for person in people[:2]:
        sign_in("/login/", person.username, "wrong")

    assert signed_in(sign_in("/login/", people[2].username, "password"))


def test_check_deploy_warns_behind_a_proxy_that_the_lockout_per_address_needs_the_client_address(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    warned = [message.id for message in checks.run_checks(tags=[checks.Tags.security], include_deployment_checks=True)]
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 0
    switched_off = [
        message.id for message in checks.run_checks(tags=[checks.Tags.security], include_deployment_checks=True)
    ]

    assert "interactions.W201" in warned
    assert "interactions.W201" not in switched_off
