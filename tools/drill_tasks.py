"""Tasks for the time-limit drill only (tools/celery_time_limit_drill.sh): loaded into the drill's
worker with ``celery worker -I tools.drill_tasks``, never by the shop's own workers.

- ``drill.ignores_soft_limit`` catches ``SoftTimeLimitExceeded`` and carries on, as code that swallows
  every exception would: the hard limit kills its pool process.
- ``drill.stops_at_soft_limit`` does the right thing: it stops its loop when the soft limit fires,
  saves what it finished and returns (a batch job that resumes next run).
"""

import time

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded


@shared_task(name="drill.ignores_soft_limit")
def ignores_soft_limit(seconds):
    try:
        time.sleep(seconds)
    except SoftTimeLimitExceeded:
        time.sleep(seconds)  # keeps going: the hard limit ends it
    return "finished"


@shared_task(name="drill.stops_at_soft_limit")
def stops_at_soft_limit(items):
    done = 0
    try:
        for _ in range(items):
            time.sleep(0.5)  # one item of work
            done += 1
    except SoftTimeLimitExceeded:
        return {"done": done, "of": items, "stopped": "soft time limit"}
    return {"done": done, "of": items, "stopped": None}
