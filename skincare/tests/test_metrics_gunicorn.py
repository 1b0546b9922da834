"""/metrics under gunicorn with two workers: every scrape sees the requests of both (multiprocess mode)."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url, **headers):
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback
    # Generous: a request that timed out here but was answered later would make the count unknown.
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - loopback
        return response.read().decode()


def test_two_gunicorn_workers_report_one_merged_count(tmp_path):
    port = _free_port()
    metrics_dir = tmp_path / "metrics"
    env = {
        **os.environ,
        "DEBUG": "true",
        "METRICS_TOKEN": "gunicorn-test-token",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "CELERY_BROKER_URL": "",
    }
    env.pop("SKINCARE_METRICS_DIR_OWNED", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, loopback only
        [str(gunicorn), "skincare.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                _get(f"{base}/health")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.5)
        # Parallel requests until both workers have answered some (each writes its own sample file).
        sent = 1
        with ThreadPoolExecutor(max_workers=8) as pool:
            while len(list(metrics_dir.glob("histogram_*.db"))) < 2:
                assert sent < 2000, "one worker answered everything"
                list(pool.map(lambda _: _get(f"{base}/health"), range(16)))
                sent += 16
        counts = []
        for _ in range(6):
            text = _get(f"{base}/metrics", Authorization="Bearer gunicorn-test-token")
            match = re.search(r'http_requests_total\{method="GET",route="health",status="200"\} (\S+)', text)
            counts.append(float(match.group(1)))
        # Whichever worker answers the scrape, it counts the requests of both.
        assert counts == [float(sent)] * 6
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


WRITER = """
import os, socket, sys
host, count = sys.argv[1], int(sys.argv[2])
socket.gethostname = lambda: host  # another container: its own hostname, and the same small pid
os.getpid = lambda: 7
from skincare.observability.metrics import CACHE_GETS
hits = CACHE_GETS.labels("default", "hit")
for _ in range(count):
    hits.inc()
"""


def test_two_containers_with_the_same_pids_sharing_the_directory_keep_their_own_files(tmp_path):
    """The compose deploy shares the directory between the web and worker containers, where pids repeat: both
    wrote counter_7.db at once and the scrape failed on the mangled file (a 500)."""
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "skincare.settings"}
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, host, "20000"], cwd=ROOT, env=env, stderr=subprocess.PIPE)  # noqa: S603
        for host in ("web", "worker")
    ]
    for writer in writers:
        assert writer.wait(timeout=120) == 0, writer.stderr.read().decode()

    assert sorted(path.name for path in tmp_path.glob("counter_*.db")) == ["counter_web-7.db", "counter_worker-7.db"]
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(tmp_path))
    assert registry.get_sample_value("cache_gets_total", {"cache": "default", "result": "hit"}) == 40000
