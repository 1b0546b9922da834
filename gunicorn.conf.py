"""gunicorn settings, read automatically when gunicorn starts in the project folder.

prometheus_client keeps its samples per process, so with several gunicorn workers a scrape of
/metrics would see only the worker that answered it. In multiprocess mode each worker writes its
samples to files in PROMETHEUS_MULTIPROC_DIR and /metrics merges them. Unset, gunicorn gets a fresh
private directory, removed on exit; set it to share the directory with Celery workers on the same
host or volume (then empty it before starting them: docs/observability.md).
"""

import gc
import os
import shutil
import tempfile

_OWNED = "SKINCARE_METRICS_DIR_OWNED"  # set when this file made the directory (survives a config reload)

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="skincare-metrics-")
    os.environ[_OWNED] = os.environ["PROMETHEUS_MULTIPROC_DIR"]
os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)


def post_worker_init(worker):
    """The app is loaded: everything alive now (modules, settings, URL patterns, the ORM's and DRF's metadata,
    about 158,000 objects) lives as long as the worker, so it is moved out of the cyclic collector's reach
    (``gc.freeze``). A full collection then walks only what requests left behind: 80-87 -> 13-15 ms each in
    a checkout run (docs/performance.md, "Issue 18, session 17: the whole table with a Celery worker, on main,
    and `gc.freeze` in the web workers")."""
    gc.collect()
    gc.freeze()


def child_exit(server, worker):
    """Drop the live-gauge files of a worker that exited (counters and histograms are kept)."""
    from prometheus_client import multiprocess

    from skincare.observability.metrics import process_identifier

    multiprocess.mark_process_dead(process_identifier(worker.pid))


def on_exit(server):
    owned = os.environ.get(_OWNED)
    if owned and owned == os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        shutil.rmtree(owned, ignore_errors=True)
