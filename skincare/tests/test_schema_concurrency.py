"""Simultaneous first requests for ``/api/schema/`` on a cold server all answer the same schema.

drf-spectacular loads its extensions lazily during generation; before the schema view generated
under a lock, most of six simultaneous first requests answered 500. The server runs in a fresh
process so nothing is warm.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import hashlib, json, threading, urllib.error, urllib.request
import django
django.setup()
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet)
server.set_app(WSGIHandler())
threading.Thread(target=server.serve_forever, daemon=True).start()
url = f"http://127.0.0.1:{server.server_port}/api/schema/?format=json"
start = threading.Barrier(6)
answers = []


def fetch(language):
    start.wait()
    request = urllib.request.Request(url, headers={"Accept-Language": language})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            body = response.read()
            answers.append((language, response.status, hashlib.sha256(body).hexdigest(), json.loads(body)["openapi"]))
    except urllib.error.HTTPError as exc:
        answers.append((language, exc.code, "", ""))


threads = [threading.Thread(target=fetch, args=(language,)) for language in ["en", "km"] * 3]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
server.shutdown()
print(json.dumps(sorted(answers)))
"""


def test_simultaneous_first_schema_requests_all_succeed_alike():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "skincare.settings"},
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout)
    assert [(language, status, version) for language, status, _, version in answers] == [
        ("en", 200, "3.1.0"),
        ("en", 200, "3.1.0"),
        ("en", 200, "3.1.0"),
        ("km", 200, "3.1.0"),
        ("km", 200, "3.1.0"),
        ("km", 200, "3.1.0"),
    ]
    assert len({digest for language, _, digest, _ in answers if language == "en"}) == 1
    assert len({digest for language, _, digest, _ in answers if language == "km"}) == 1
