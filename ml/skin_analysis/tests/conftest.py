import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ml.skin_analysis.synthetic import Face, face_jpeg

SMALL_FACE = Face(size=400)


def photo(face=SMALL_FACE, name="face.jpg"):
    return SimpleUploadedFile(name, face_jpeg(face), content_type="image/jpeg")


def plain_jpeg(color=(120, 140, 170), size=(400, 400)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _tasks_run_on_commit(run_on_commit):
    """The analysis task is queued on commit and Celery is eager: the scan finishes inside the request."""


@pytest.fixture
def fake_server():
    """A local HTTP server whose answer each test sets: (status, body, delay seconds)."""
    state = {"answer": (200, {}, 0), "requests": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            length = int(self.headers["Content-Length"])
            state["requests"].append(
                {"path": self.path, "auth": self.headers["Authorization"], "body": json.loads(self.rfile.read(length))}
            )
            status, body, delay = state["answer"]
            time.sleep(delay)
            payload = body if isinstance(body, bytes) else json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def llm(settings, fake_server):
    settings.SKIN_FEEDBACK_LLM_URL = fake_server["url"] + "/v1"
    settings.SKIN_FEEDBACK_LLM_API_KEY = "llm-key"
    settings.SKIN_FEEDBACK_LLM_MODEL = "small-model"
    settings.SKIN_FEEDBACK_LLM_TIMEOUT = 0.5
    return fake_server


def chat(text):
    return {"choices": [{"message": {"role": "assistant", "content": text}}]}
