"""gunicorn.conf.py's worker hook: what is alive once the app is loaded is frozen out of the cyclic collector."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, runpy
import django
django.setup()
from skincare.wsgi import application  # what a gunicorn worker has loaded when post_worker_init runs
before = gc.get_freeze_count()
runpy.run_path("gunicorn.conf.py")["post_worker_init"](None)
print(before, gc.get_freeze_count())
"""


def test_post_worker_init_freezes_what_the_loaded_app_keeps(tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "skincare.settings"}
    env.pop("SKINCARE_METRICS_DIR_OWNED", None)
    done = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    before, after = (int(number) for number in done.stdout.split()[-2:])
    assert before == 0
    assert after > 50_000  # the modules, settings, URL patterns and model metadata of the app
