"""A customer's conversations, earlier ones included, listed by their id: what the workspace's panel shows as
"Earlier conversations"."""

import pytest

from interactions.models import InteractionState
from interactions.tests.timelines import client_for
from tests.factories import ChannelUserFactory, InteractionFactory, agent, agent_holding

pytestmark = pytest.mark.django_db


def test_the_list_filtered_by_channel_user_has_all_their_conversations_and_nobody_elses():
    customer = ChannelUserFactory()
    earlier = InteractionFactory(channel_user=customer, state=InteractionState.CLOSED_COMPLETE)
    current = InteractionFactory(channel_user=customer)
    InteractionFactory()  # another customer's

    response = client_for(agent_holding(current)).get(f"/api/v1/interactions/?channel_user={customer.pk}")

    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {earlier.pk, current.pk}


@pytest.mark.parametrize("value", ["zero", "0", "-3"])
def test_a_channel_user_that_is_not_an_id_is_refused_with_its_reason(value):
    response = client_for(agent()).get(f"/api/v1/interactions/?channel_user={value}")

    assert response.status_code == 400
    assert "channel_user" in response.json()
