"""Real image bytes made with Pillow, hostile variants of them, and registry rows."""

import functools
import io
import struct
import zipfile
import zlib

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from shop.accounts.tests.factories import UserFactory
from shop.files.models import FileStatus, FileUploadConfig, MediaType, UploadContext, UploadedFile

GPS_LATITUDE = (11.0, 33.0, 25.0)


def image_bytes(fmt="JPEG", size=(320, 320), color=(200, 120, 90), *, gps=False, orientation=None, comment=None):
    """A real image in ``fmt`` (JPEG, PNG, WEBP, GIF); JPEGs may carry GPS EXIF and an orientation."""
    mode = "RGBA" if fmt in ("PNG", "WEBP") else "RGB"
    image = Image.new(mode, size, (*color, 255) if mode == "RGBA" else color)
    # A little structure so encoders do not collapse it to nothing.
    for x in range(0, size[0], 7):
        image.putpixel((x, x % size[1]), (0, 0, 0, 255) if mode == "RGBA" else (0, 0, 0))
    options = {}
    exif = Image.Exif()
    if gps:
        exif[ExifTags.Base.Make] = "PhoneMaker"
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: GPS_LATITUDE,
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (104.0, 55.0, 1.0),
        }
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if len(exif):
        options["exif"] = exif
    if comment is not None:
        options["comment"] = comment
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def jpeg_bytes(size=(320, 320), **kwargs):
    return image_bytes("JPEG", size, **kwargs)


def png_bytes(size=(320, 320), **kwargs):
    return image_bytes("PNG", size, **kwargs)


def animated_gif_bytes(size=(320, 320), frames=2):
    images = [Image.new("RGB", size, (index * 60, 100, 255 - index * 60)) for index in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    return buffer.getvalue()


def gif_canvas_bomb_bytes(screen=(200, 200), canvas=(12000, 12000), frames=4):
    """A valid GIF of a few hundred bytes: a harmless first frame, then 1x1 frames placed at the far
    corner of ``canvas``. Pillow grows the canvas to fit them and decodes every frame at that size."""
    buffer = io.BytesIO()
    Image.new("P", screen, 0).save(buffer, format="GIF")
    first = buffer.getvalue()
    palette_end = 13 + 3 * (2 << (first[10] & 7))
    assert first[palette_end] == 0x2C and first[-1] == 0x3B  # the first image follows the palette directly
    corner = struct.pack("<HHHHB", canvas[0] - 1, canvas[1] - 1, 1, 1, 0)
    one_pixel = b"\x02\x02\x4c\x01\x00"  # LZW minimum code size 2: clear, pixel 0, end
    return first[:-1] + (b"\x2c" + corner + one_pixel) * (frames - 1) + b"\x3b"


def animated_bytes(fmt, size=(320, 320), frames=2):
    """An animated PNG (APNG) or WebP of ``frames`` distinct frames."""
    images = [Image.new("RGBA", size, (index * 40 % 256, 100, 200, 255)) for index in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, format=fmt, save_all=True, append_images=images[1:], duration=100, loop=0)
    return buffer.getvalue()


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@functools.cache
def png_bomb_bytes(width=20000, height=20000):
    """A valid 1-bit PNG declaring width x height pixels, all black: tens of KB on disk."""
    row = b"\x00" + bytes((width + 7) // 8)  # filter byte + packed pixels
    compressor = zlib.compressobj(9)
    compressed = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", compressed) + _png_chunk(b"IEND", b"")
    )


def zip_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.html", "<h1>hello</h1>")
    return buffer.getvalue()


def mp4_bytes():
    """A minimal well-formed ISO BMFF file: ftyp + moov + mdat boxes."""

    def box(kind, payload=b""):
        return struct.pack(">I", 8 + len(payload)) + kind + payload

    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    moov = box(b"moov", box(b"mvhd", bytes(100)))
    mdat = box(b"mdat", bytes(64))
    return ftyp + moov + mdat


def upload(content, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def set_config(context, **values):
    FileUploadConfig.objects.filter(context=context).update(**values)
    return FileUploadConfig.objects.get(context=context)


class UploadedFileFactory(factory.django.DjangoModelFactory):
    """A registry row without blobs, for selector/cleanup tests that do not need real files."""

    class Meta:
        model = UploadedFile

    owner = factory.SubFactory(UserFactory)
    context = UploadContext.REVIEW
    file = factory.Sequence(lambda n: f"uploads/reviews/2026/01/{n:032x}.jpg")
    original_filename = "photo.jpg"
    size = 1000
    mime_type = "image/jpeg"
    extension = "jpg"
    media_type = MediaType.IMAGE
    width = 400
    height = 400
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    status = FileStatus.ACTIVE
