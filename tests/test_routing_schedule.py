"""Routing's periodic work is on Celery beat."""

from config.celery import app


def test_beat_runs_the_offer_expiry_presence_and_waiting_item_sweeps():
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}

    assert {
        "routing.tasks.expire_offers_task",
        "routing.tasks.set_lost_agents_offline_task",
        "routing.tasks.offer_waiting_items_task",
    } <= tasks
