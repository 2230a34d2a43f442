from celery import shared_task

from seance.core.tick import run_tick


@shared_task(name="seance.core.tasks.tick", ignore_result=True)
def tick() -> int:
    """Celery beat's entry to ``seance tick``."""
    return run_tick().count
