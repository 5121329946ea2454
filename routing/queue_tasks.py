"""Queueing's tasks, thin: the service does it (routing/services/queueing.py)."""

from celery import shared_task


@shared_task
def offer_then_tell_the_wait_task(work_item_id: int) -> None:
    """A newly queued item: its queue's items offered, then its customer told their place if nobody took it. Safe
    to run twice: the waiting message is decided under the item's lock, at most once per the queue's interval."""
    from routing.services.queueing import offer_then_tell_the_wait

    offer_then_tell_the_wait(work_item_id=work_item_id)


@shared_task
def sweep_queues() -> int:
    """Offers the items of open queues (a queue that has just opened starts being served) and sends the waiting
    messages that are due. Safe to run twice: each message is decided under its work item's lock."""
    from routing.services.queueing import sweep_queues as sweep

    return sweep()
