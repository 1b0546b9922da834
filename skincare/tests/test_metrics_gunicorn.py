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
