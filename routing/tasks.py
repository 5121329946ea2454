"""Thin Celery tasks: routing's offers after a change, timeouts and sweeps, each a service call, safe to run twice."""

from celery import shared_task


@shared_task
def expire_offers_task() -> int:
    """Enqueued with a countdown for each offer's timeout, and run periodically as the safety net."""
    from routing.services.assignment import expire_offers

    return expire_offers()


@shared_task
def offer_next_items_task(queue_id: int | None = None, agent_id: int | None = None) -> int:
    """Offers after a change committed (an item queued, an agent available or with room again), enqueued once per
    burst by `offer_next_items_on_commit`; on the latency-sensitive queue, never behind a webhook backlog."""
    from routing.services.assignment import offer_after_change

    return offer_after_change(queue_id=queue_id, agent_id=agent_id)


@shared_task
def publish_load_task(agent_id: int) -> None:
    """An agent's load pushed after it moved, enqueued once per burst by `publish_loads_on_commit`."""
    from routing.services.presence import publish_load_after_change

    publish_load_after_change(agent_id=agent_id)


@shared_task
def set_lost_agents_offline_task() -> int:
    from routing.services.presence import set_lost_agents_offline

    return set_lost_agents_offline()


@shared_task
def offer_waiting_items_task() -> int:
    """The safety net for an offer that should have followed a change but failed (the change committed first)."""
    from routing.services.assignment import offer_next_items

    return len(offer_next_items())
