import json

from django.conf import settings

from skincare.celery import app
from skincare.tests.test_settings import _probe


def test_every_beat_schedule_entry_names_a_registered_task():
    app.loader.import_default_modules()
    registered = set(app.tasks)
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= registered, scheduled - registered


# A web process as gunicorn starts it (``skincare.wsgi``), then its first task: what that call still sets up.
FIRST_TASK_PROBE = """
import json, sys
from unittest import mock

import skincare.wsgi
from celery.app import backends

from skincare.celery import app
from skincare.tasks import heartbeat

finalized, modules = app.finalized, set(sys.modules)
with mock.patch.object(backends, "by_url", side_effect=AssertionError("result backend loaded by the first task")):
    heartbeat.delay()
imported = sorted(set(sys.modules) - modules)
print(json.dumps({"finalized": finalized, "eager": app.conf.task_always_eager, "imported": imported}))
"""

START_PROBE = """
import json
import skincare.wsgi
from skincare.celery import app
print(json.dumps({"finalized": app.finalized, "eager": app.conf.task_always_eager}))
"""


def _run(code, **env):
    """``code`` in a fresh process without the services' settings (SQLite, locmem), unless ``env`` gives them:
    its last line of output, as JSON."""
    result = _probe(code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_web_process_has_celery_set_up_before_its_first_task():
    # given a web process started as gunicorn starts it; when its first task runs eagerly
    # then the task modules are bound, and the result backend and task tracing were loaded at start
    assert _run(FIRST_TASK_PROBE) == {"finalized": True, "eager": True, "imported": []}


def test_the_start_opens_no_broker_connection():
    # given a broker nobody listens on: the web process starts at once (no connection tried), its tasks bound
    assert _run(START_PROBE, CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:1//") == {
        "finalized": True,
        "eager": False,
    }
