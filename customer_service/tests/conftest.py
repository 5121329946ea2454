import pytest


@pytest.fixture
def tasks_run_here(monkeypatch):
    """What the notification path enqueues runs at once, in this process and transaction: the same task a worker
    would run, with the same arguments."""
    monkeypatch.setattr("interactions.task_queue.enqueue_task", lambda task, **kwargs: task.apply(kwargs=kwargs))
