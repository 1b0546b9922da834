"""Unit tests of the byte-level checks (no database)."""

import io
import random

import pytest
from PIL import Image

from shop.files.inspection import (
    FILE_TYPES,
    ImageRules,
    InspectionError,
    check_active_content,
    check_structure,
    detect_type,
    process_image,
)
from shop.files.tests.factories import animated_gif_bytes, image_bytes, jpeg_bytes, mp4_bytes, png_bytes

JPEG, PNG, GIF, WEBP = (FILE_TYPES[m] for m in ("image/jpeg", "image/png", "image/gif", "image/webp"))
MP4, WEBM = FILE_TYPES["video/mp4"], FILE_TYPES["video/webm"]


def webm_bytes(tail=b""):
    header = b"\x42\x82\x84webm"
    ebml = b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(header)]) + header
    info = b"\x15\x49\xa9\x66\x80"
    return ebml + b"\x18\x53\x80\x67" + bytes([0x80 | len(info)]) + info + tail


def refused_code(callable_, *args):
    with pytest.raises(InspectionError) as excinfo:
        callable_(*args)
    return excinfo.value.code


def test_detect_type_from_content_not_name():
    assert detect_type(jpeg_bytes((10, 10))) is JPEG
    assert detect_type(png_bytes((10, 10))) is PNG
    assert detect_type(image_bytes("WEBP", (10, 10))) is WEBP
    assert detect_type(animated_gif_bytes((10, 10))) is GIF
    assert detect_type(mp4_bytes()) is MP4
    assert detect_type(webm_bytes()) is WEBM
    assert detect_type(b"<html><body>hi</body></html>") is None
    assert detect_type(b"%PDF-1.7\n") is None


def test_animated_png_is_detected_as_png():
    frames = [Image.new("RGB", (10, 10), c) for c in ((255, 0, 0), (0, 255, 0))]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="PNG", save_all=True, append_images=frames[1:])

    assert detect_type(buffer.getvalue()) is PNG


@pytest.mark.parametrize(
    ("content", "file_type"),
    [
        (jpeg_bytes((64, 64)), JPEG),
        (jpeg_bytes((64, 64)) + jpeg_bytes((8, 8)), JPEG),  # Multi-Picture Format: a second image appended
        (jpeg_bytes((64, 64)) + bytes(16), JPEG),  # NUL padding
        (png_bytes((64, 64)), PNG),
        (image_bytes("WEBP", (64, 64)), WEBP),
        (animated_gif_bytes((64, 64)), GIF),
        (animated_gif_bytes((64, 64))[:-1], GIF),  # no trailer byte: browsers accept it
        (mp4_bytes(), MP4),
        (webm_bytes(), WEBM),
    ],
)
def test_well_formed_files_pass_the_structure_check(content, file_type):
    assert isinstance(check_structure(content, file_type), list)


@pytest.mark.parametrize(
    ("content", "file_type", "code"),
    [
        (jpeg_bytes((64, 64)) + b"PK\x03\x04", JPEG, "FILE_CONTENT_REJECTED"),
        (jpeg_bytes((64, 64))[:-2], JPEG, "IMAGE_INVALID"),
        (png_bytes((64, 64)) + b"<?php echo 1; ?>", PNG, "FILE_CONTENT_REJECTED"),
        (png_bytes((64, 64))[:-12], PNG, "IMAGE_INVALID"),
        (animated_gif_bytes((64, 64)) + b"trailing", GIF, "FILE_CONTENT_REJECTED"),
        (image_bytes("WEBP", (64, 64)) + b"trailing", WEBP, "FILE_CONTENT_REJECTED"),
        (image_bytes("WEBP", (64, 64))[:-4], WEBP, "IMAGE_INVALID"),
        (mp4_bytes()[:-1], MP4, "VIDEO_INVALID"),
        (mp4_bytes()[:8] + b"\x00\x00\x00\x08free", MP4, "VIDEO_INVALID"),  # no moov
        (webm_bytes(tail=b"\x00\x00junk"), WEBM, "VIDEO_INVALID"),
        (webm_bytes().replace(b"webm", b"xxxx"), WEBM, "VIDEO_INVALID"),
    ],
)
def test_broken_or_padded_files_are_refused(content, file_type, code):
    assert refused_code(check_structure, content, file_type) == code


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xd8\xff\xe0" + b"<svg onload=alert(1)>",
        b"GIF89a" + b"<html>",
        jpeg_bytes((16, 16)) + b"<script src=x></script>",
        bytes(5000) + b"<IFRAME src=x>" + bytes(5000),
        bytes(5000) + b"javascript:alert(1)",
    ],
)
def test_active_content_is_refused(content):
    assert refused_code(check_active_content, content, []) == "FILE_CONTENT_REJECTED"


def test_short_markers_only_count_in_the_header_and_metadata():
    binary = bytes(2048) + b"<svg " + bytes(10)

    check_active_content(binary, [])
    assert refused_code(check_active_content, binary, [(2048, 2060)]) == "FILE_CONTENT_REJECTED"


def test_random_binary_data_is_not_mistaken_for_active_content():
    check_active_content(random.Random(42).randbytes(4 * 1024 * 1024), [])


def test_cmyk_jpeg_is_stored_as_rgb():
    buffer = io.BytesIO()
    Image.new("CMYK", (40, 30), (0, 50, 100, 0)).save(buffer, format="JPEG")

    result = process_image(buffer.getvalue(), JPEG, ImageRules(thumbnail_sizes={"s": (10, 10)}))

    assert Image.open(io.BytesIO(result.content)).mode == "RGB"
    assert Image.open(io.BytesIO(result.thumbnails["s"][0])).size == (10, 8)


def test_palette_png_with_transparency_keeps_it():
    image = Image.new("P", (20, 20), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", transparency=0)

    result = process_image(buffer.getvalue(), PNG, ImageRules(thumbnail_sizes={"s": (10, 10)}))

    stored = Image.open(io.BytesIO(result.content))
    assert (stored.mode, stored.info.get("transparency")) == ("P", 0)
    assert Image.open(io.BytesIO(result.thumbnails["s"][0])).mode == "RGBA"


def test_sixteen_bit_png_is_processed():
    buffer = io.BytesIO()
    Image.new("I;16", (20, 20), 40000).save(buffer, format="PNG")

    result = process_image(buffer.getvalue(), PNG, ImageRules())

    assert (result.width, result.height, result.extension) == (20, 20, "png")


def test_quality_from_the_rules_changes_the_encoding():
    content = jpeg_bytes((200, 200))

    low = process_image(content, JPEG, ImageRules(quality=10)).content
    high = process_image(content, JPEG, ImageRules(quality=95)).content

    assert len(low) < len(high)


def test_animation_with_too_many_frames_is_refused():
    frames = [Image.new("RGB", (4, 4), (i % 256, 0, 0)) for i in range(301)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])

    assert refused_code(process_image, buffer.getvalue(), GIF, ImageRules()) == "IMAGE_TOO_LARGE"
