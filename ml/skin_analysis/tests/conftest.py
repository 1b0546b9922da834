import io

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
