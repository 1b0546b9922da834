import pytest
from django.db import connection

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL full-text search and pg_trgm"
)


@pytest.fixture
def image_bytes():
    import io

    from PIL import Image

    def make(color=(200, 120, 140), size=(400, 400)):
        buffer = io.BytesIO()
        Image.new("RGB", size, color).save(buffer, format="PNG")
        return buffer.getvalue()

    return make
