"""Every ETL run leaves an ``EtlRun`` row: job, start, duration, rows read/written, error."""

import time
from dataclasses import dataclass

from django.utils import timezone

from ml.models import EtlRun, EtlRunStatus


@dataclass
class JobResult:
    rows_read: int = 0
    rows_written: int = 0


def etl_run(*, job, func, progress=None, **params):
    """Run ``func(progress=..., **params) -> JobResult`` and log it; a failure is logged and re-raised
    (the Celery task retries it with backoff)."""
    run = EtlRun.objects.create(job=job, started_at=timezone.now())
    started = time.perf_counter()
    try:
        result = func(progress=progress or (lambda done, total: None), **params)
    except Exception as exc:
        run.status, run.error = EtlRunStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        raise
    else:
        run.status = EtlRunStatus.SUCCEEDED
        run.rows_read, run.rows_written = result.rows_read, result.rows_written
        return result
    finally:
        run.finished_at = timezone.now()
        run.duration_ms = int((time.perf_counter() - started) * 1000)
        run.save()
