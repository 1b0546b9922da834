"""Loaded with ``-p`` (pyproject ``addopts``) before pytest-django reads the settings.

Without ``SECRET_KEY`` the settings make a key file in the checkout (``.secret_key``); the test run
uses a throw-away file instead, so tests never write into the repository.
"""

import atexit
import os
import shutil
import tempfile

if not os.environ.get("SECRET_KEY_FILE"):  # also for subprocesses started without SECRET_KEY
    _directory = tempfile.mkdtemp(prefix="skincare-tests-")
    atexit.register(shutil.rmtree, _directory, ignore_errors=True)
    os.environ["SECRET_KEY_FILE"] = os.path.join(_directory, "secret_key")

# Search events pushed one by one, as tests read the buffer right after a search; the batches
# (``ml.buffer.ProcessBatch``) have tests of their own that turn them on.
os.environ.setdefault("ANALYTICS_SEARCH_BATCH", "1")
