from celery import shared_task


@shared_task
def sweep_idle_sessions() -> None:
    from virtual_agent.idle import remind_or_close_idle_sessions

    remind_or_close_idle_sessions()
