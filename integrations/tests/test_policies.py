"""The retry rules, in one place: what each answer means for a delivery."""

from datetime import UTC, datetime, timedelta

import pytest

from integrations.policies import MAX_ATTEMPTS, MAX_ATTEMPTS_CLIENT_ERROR, MAX_DELAY, verdict_for

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("status", [200, 201, 204])
def test_2xx_is_delivered(status):
    assert verdict_for(attempt=1, status=status, now=NOW).delivered


def test_410_disables_the_subscription():
    verdict = verdict_for(attempt=1, status=410, now=NOW)
    assert verdict.disable_subscription and verdict.retry_in is None


@pytest.mark.parametrize("status", [None, 408, 429, 500, 503])
def test_transient_failures_back_off_up_to_a_day_then_give_up(status):
    first = verdict_for(attempt=1, status=status, now=NOW).retry_in
    assert timedelta(seconds=30) <= first <= timedelta(minutes=1)
    assert verdict_for(attempt=MAX_ATTEMPTS - 1, status=status, now=NOW).retry_in <= MAX_DELAY
    assert verdict_for(attempt=MAX_ATTEMPTS, status=status, now=NOW).retry_in is None


@pytest.mark.parametrize("status", [301, 400, 401, 404, 422])
def test_other_client_errors_get_fewer_tries(status):
    assert verdict_for(attempt=MAX_ATTEMPTS_CLIENT_ERROR - 1, status=status, now=NOW).retry_in is not None
    assert verdict_for(attempt=MAX_ATTEMPTS_CLIENT_ERROR, status=status, now=NOW).retry_in is None


def test_retry_after_is_honoured_on_429_and_503_but_never_past_a_day():
    assert verdict_for(attempt=1, status=429, retry_after_header="600", now=NOW).retry_in == timedelta(minutes=10)
    http_date = "Sun, 06 Dec 2026 14:00:00 GMT"
    assert verdict_for(attempt=1, status=503, retry_after_header=http_date, now=NOW).retry_in == timedelta(hours=2)
    assert verdict_for(attempt=1, status=429, retry_after_header="999999", now=NOW).retry_in == MAX_DELAY
    assert verdict_for(attempt=1, status=500, retry_after_header="600", now=NOW).retry_in <= timedelta(minutes=1)


def test_a_refused_address_gives_up_at_once():
    assert verdict_for(attempt=1, status=None, address_refused=True, now=NOW).retry_in is None
