"""System properties across processes: an admin's change on one web server takes effect, without a restart, on
another web server and on the Celery worker within a second."""

import re
import time

import pytest
import requests
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from conftest import LiveSystem, wait_until
from interactions.models import Message
from interactions.roles import ADMIN
from routing.models import Presence, WorkItem, WorkItemState
from routing.tests.factories import QueueFactory, WorkItemFactory, serving_agent
from tests.factories import InteractionFactory, UserFactory
from tests.test_offer_timeouts import set_own_presence
from tests.test_resilience import start_web_process

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def admin_changes(system: LiveSystem, key: str, value: str) -> None:
    """Through the admin page of the session's web server, as a person would: sign in, open the form, save."""
    client = Client()
    client.force_login(UserFactory(role=ADMIN, is_staff=True))
    browser = requests.Session()
    browser.cookies.set("sessionid", client.cookies["sessionid"].value)
    url = f"{system.web_url}/admin/properties/storedproperty/{key}/edit/"
    form = browser.get(url, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    saved = browser.post(url, data={"csrfmiddlewaretoken": token, "value": value}, allow_redirects=False, timeout=10)
    assert saved.status_code == 302, saved.text


def preview_answer(web_url: str, token: str, message: Message) -> tuple[int, str]:
    answer = requests.get(
        f"{web_url}/api/v1/messages/{message.pk}/link-preview/", headers={"Authorization": f"Token {token}"}, timeout=10
    )
    return answer.status_code, answer.json().get("detail", "")


def test_an_admin_switching_link_previews_off_on_one_web_server_is_obeyed_by_another_within_a_second(live_system):
    other_web = start_web_process(live_system, "web-2")
    reader = UserFactory(role="agent")
    message = Message.objects.create(
        interaction=InteractionFactory(assigned_to=reader),
        sequence=1,
        revision=1,
        direction="inbound",
        text="This one? https://shop.example.com/chair",
        status="received",
        sent_at=timezone.now(),
    )
    token = Token.objects.create(user=reader).key
    assert preview_answer(other_web, token, message)[0] == 200  # on, as that process has read it

    admin_changes(live_system, "interactions.link_previews", "off")
    changed_at = time.monotonic()

    wait_until(lambda: preview_answer(other_web, token, message) == (404, "Link previews are switched off."), timeout=5)
    assert time.monotonic() - changed_at < 1.5
    live_system.stop("web-2")


def test_an_offer_the_worker_makes_after_an_admin_change_has_the_new_timeout(live_system):
    queue = QueueFactory()
    first, second = (serving_agent(queue, presence=Presence.OFFLINE, capacity=1) for _ in range(2))
    before, after = WorkItemFactory(queue=queue), WorkItemFactory(queue=queue)

    def offered_for(item: WorkItem, person) -> float:
        set_own_presence(live_system.web_url, person, Presence.AVAILABLE)
        item = wait_until(
            lambda: WorkItem.objects.filter(pk=item.pk, state=WorkItemState.OFFERED, offered_to=person).first(),
            message="the worker's offer",
        )
        return (item.offer_expires_at - item.offered_at).total_seconds()

    assert offered_for(before, first) == 30  # the default, read by the worker
    admin_changes(live_system, "routing.offer_timeout_seconds", "90")
    time.sleep(1)

    assert offered_for(after, second) == 90
