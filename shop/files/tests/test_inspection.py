"""Unit tests of the byte-level checks (no database)."""

import io
import random
import zlib

import pytest
from PIL import Image

from shop.files.inspection import (
    FILE_TYPES,
    ImageRules,
    InspectionError,
    check_active_content,
    check_structure,
    detect_type,
    frame_canvases,
    process_image,
)
from shop.files.tests.factories import (
    animated_bytes,
    animated_gif_bytes,
    gif_canvas_bomb_bytes,
    image_bytes,
    jpeg_bytes,
    mp4_bytes,
    png_bytes,
)

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


# --- Animations: every frame is checked from its header before decoding --------------------------


def refusal(data, file_type, rules=None):
    with pytest.raises(InspectionError) as excinfo:
        process_image(data, file_type, rules or ImageRules())
    return excinfo.value.code, excinfo.value.message


def test_gif_frame_canvases_follow_frames_placed_beyond_the_screen():
    bomb = gif_canvas_bomb_bytes(screen=(200, 200), canvas=(12000, 12000), frames=4)

    assert len(bomb) < 1000
    assert frame_canvases(bomb, GIF) == [(200, 200), (12000, 12000), (12000, 12000), (12000, 12000)]
    assert frame_canvases(animated_gif_bytes((64, 48), frames=3), GIF) == [(64, 48)] * 3


def test_apng_and_animated_webp_frame_canvases():
    assert frame_canvases(animated_bytes("PNG", (64, 48), frames=3), PNG) == [(64, 48)] * 3
    assert frame_canvases(animated_bytes("WEBP", (64, 48), frames=3), WEBP) == [(64, 48)] * 3
    assert frame_canvases(png_bytes((64, 48)), PNG) == [(64, 48)]
    assert frame_canvases(image_bytes("WEBP", (64, 48)), WEBP) == [None]  # simple WebP: one frame, Pillow's size
    assert frame_canvases(jpeg_bytes((64, 48)), JPEG) == [None]


def test_gif_whose_later_frames_grow_the_canvas_past_the_ceiling_is_refused_before_decoding():
    bomb = gif_canvas_bomb_bytes(canvas=(12000, 12000), frames=4)

    assert refusal(bomb, GIF) == ("IMAGE_TOO_LARGE", "Frame 2 declares 12000x12000 px, more than this service decodes.")


def test_gif_whose_later_frames_grow_the_canvas_past_the_context_maximum_is_refused():
    bomb = gif_canvas_bomb_bytes(canvas=(2500, 2500), frames=2)

    assert refusal(bomb, GIF, ImageRules(max_width=2000, max_height=2000)) == (
        "IMAGE_TOO_LARGE",
        "Frame 2 is 2500x2500 px; the maximum is 2000x2000 px.",
    )


def test_animation_over_the_context_frame_limit_is_refused():
    rules = ImageRules(max_frames=5)

    assert refusal(animated_gif_bytes((20, 20), frames=6), GIF, rules) == (
        "IMAGE_TOO_LARGE",
        "The animation has 6 frames; the maximum here is 5.",
    )
    assert process_image(animated_gif_bytes((20, 20), frames=5), GIF, rules).width == 20


def test_animation_over_the_context_pixel_total_is_refused():
    rules = ImageRules(max_total_pixels=3 * 100 * 100)

    assert refusal(animated_gif_bytes((100, 100), frames=4), GIF, rules) == (
        "IMAGE_TOO_LARGE",
        "The animation's 4 frames add up to 40000 px; the maximum here is 30000 px.",
    )
    assert refusal(animated_bytes("PNG", (100, 100), frames=4), PNG, rules)[0] == "IMAGE_TOO_LARGE"
    assert refusal(animated_bytes("WEBP", (100, 100), frames=4), WEBP, rules)[0] == "IMAGE_TOO_LARGE"
    assert process_image(animated_gif_bytes((100, 100), frames=3), GIF, rules).width == 100


def test_gif_canvas_growth_counts_in_the_pixel_total():
    # 1 frame of 100x100 and 2 frames on a grown 300x300 canvas: 10000 + 2 * 90000 px.
    bomb = gif_canvas_bomb_bytes(screen=(100, 100), canvas=(300, 300), frames=3)

    assert refusal(bomb, GIF, ImageRules(max_total_pixels=100_000)) == (
        "IMAGE_TOO_LARGE",
        "The animation's 3 frames add up to 190000 px; the maximum here is 100000 px.",
    )


def test_service_ceilings_apply_whatever_the_context_allows():
    rules = ImageRules(max_frames=10_000, max_total_pixels=10**12)

    assert refusal(gif_canvas_bomb_bytes(screen=(2, 2), canvas=(2, 2), frames=301), GIF, rules) == (
        "IMAGE_TOO_LARGE",
        "The animation has 301 frames; the maximum here is 300.",
    )
    assert refusal(gif_canvas_bomb_bytes(screen=(1000, 1000), canvas=(1000, 1000), frames=26), GIF, rules) == (
        "IMAGE_TOO_LARGE",
        "The animation's 26 frames add up to 26000000 px; the maximum here is 25000000 px.",
    )


def test_apng_declaring_more_frames_than_it_has_is_refused_by_the_declared_count():
    data = bytearray(animated_bytes("PNG", (20, 20), frames=2))
    actl = data.index(b"acTL")
    data[actl + 4 : actl + 8] = (100_000).to_bytes(4, "big")
    data[actl + 12 : actl + 16] = zlib.crc32(data[actl : actl + 12]).to_bytes(4, "big")

    assert refusal(bytes(data), PNG) == ("IMAGE_TOO_LARGE", "The animation has 100000 frames; the maximum here is 300.")


def test_rotated_photo_is_checked_as_shown_not_as_stored():
    # Stored 400x300 with EXIF orientation 6: shown 300x400, which fits a 300x400 maximum.
    photo = jpeg_bytes((400, 300), orientation=6)

    processed = process_image(photo, JPEG, ImageRules(max_width=300, max_height=400))

    assert (processed.width, processed.height) == (300, 400)
