"""Inspection of untrusted upload bytes: type detection, container structure, active content, re-encoding.

Pure functions over ``bytes`` with no database or storage access. Every refusal raises
``InspectionError(code, message)``; the service turns it into an ``ApplicationError``.
"""

import re
from dataclasses import dataclass, field
from io import BytesIO

import filetype
from django.utils.translation import gettext
from PIL import ExifTags, Image, ImageOps, ImageSequence

from shop.files import error_codes

# --- Supported types --------------------------------------------------------------------------


@dataclass(frozen=True)
class FileType:
    mime: str
    extension: str  # canonical extension of what we store
    extensions: tuple[str, ...]  # names the client may use for it
    media_type: str  # "image" | "video"
    pil_format: str | None = None


FILE_TYPES = {
    file_type.mime: file_type
    for file_type in (
        FileType("image/jpeg", "jpg", ("jpg", "jpeg", "jpe", "jfif"), "image", "JPEG"),
        FileType("image/png", "png", ("png",), "image", "PNG"),
        FileType("image/webp", "webp", ("webp",), "image", "WEBP"),
        FileType("image/gif", "gif", ("gif",), "image", "GIF"),
        FileType("video/mp4", "mp4", ("mp4",), "video"),
        FileType("video/webm", "webm", ("webm",), "video"),
    )
}
SUPPORTED_MIME_TYPES = tuple(FILE_TYPES)
EXTENSIONS_BY_MIME = {mime: file_type.extensions for mime, file_type in FILE_TYPES.items()}
MIME_BY_EXTENSION = {ext: file_type.mime for file_type in FILE_TYPES.values() for ext in file_type.extensions}
_MIME_ALIASES = {"image/apng": "image/png"}

# Hard ceilings, whatever the per-context configuration says. Checked from the header, before decoding.
MAX_IMAGE_PIXELS = 40_000_000
MAX_ANIMATION_FRAMES = 300
MAX_ANIMATION_PIXELS = 25_000_000  # width * height * frames
_ORIENTATION = ExifTags.Base.Orientation
_ROTATED_ORIENTATIONS = {5, 6, 7, 8}


class InspectionError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


# --- Type detection ---------------------------------------------------------------------------


def detect_type(data: bytes) -> FileType | None:
    """The type the bytes really are (magic numbers), or None when not one we support."""
    kind = filetype.guess(data)
    if kind is None:
        return None
    return FILE_TYPES.get(_MIME_ALIASES.get(kind.mime, kind.mime))


def split_extension(filename: str) -> str:
    name = filename.rsplit("/", 1)[-1]
    if "." not in name.strip("."):
        return ""
    return name.rsplit(".", 1)[-1].lower()


# --- Container structure ----------------------------------------------------------------------
# Each scanner returns (end_offset, metadata_ranges) for a well-formed file, or None when the
# structure is broken or truncated. Bytes after ``end_offset`` are trailing data (a polyglot).


def _jpeg_scan(data, start=0):
    n = len(data)
    if data[start : start + 3] != b"\xff\xd8\xff":
        return None
    i = start + 2
    meta = []
    while i < n:
        if data[i] != 0xFF:
            return None
        while i < n and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= n:
            return None
        marker = data[i]
        i += 1
        if marker == 0xD9:  # EOI
            return i, meta
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # standalone markers
            continue
        if i + 2 > n:
            return None
        length = int.from_bytes(data[i : i + 2], "big")
        if length < 2 or i + length > n:
            return None
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:  # APPn and COM: metadata
            meta.append((i + 2, i + length))
        i += length
        if marker == 0xDA:  # SOS: entropy-coded data up to the next real marker
            while True:
                j = data.find(b"\xff", i)
                if j < 0 or j + 1 >= n:
                    return None
                following = data[j + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    i = j + 2
                elif following == 0xFF:
                    i = j + 1
                else:
                    i = j
                    break
    return None


def _jpeg_structure(data):
    scanned = _jpeg_scan(data)
    if scanned is None:
        return None
    end, meta = scanned
    # Multi-Picture Format (gain maps, depth maps) appends whole JPEGs after the first EOI.
    while end < len(data) and data.startswith(b"\xff\xd8\xff", end):
        scanned = _jpeg_scan(data, end)
        if scanned is None:
            return end, meta
        end, more = scanned
        meta.extend(more)
    return end, meta


def _png_structure(data):
    n = len(data)
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    i = 8
    meta = []
    while i + 12 <= n:
        length = int.from_bytes(data[i : i + 4], "big")
        chunk_type = data[i + 4 : i + 8]
        body = i + 8
        end = body + length + 4  # + CRC
        if length > 0x7FFFFFFF or end > n:
            return None
        if chunk_type not in (b"IDAT", b"fdAT"):
            meta.append((body, body + length))
        i = end
        if chunk_type == b"IEND":
            return i, meta
    return None


def _skip_gif_sub_blocks(data, i):
    while True:
        size = data[i]
        i += 1
        if size == 0:
            return i
        i += size


def _gif_structure(data):
    n = len(data)
    if data[:6] not in (b"GIF87a", b"GIF89a") or n < 13:
        return None
    flags = data[10]
    i = 13 + (3 * (2 << (flags & 7)) if flags & 0x80 else 0)
    meta = []
    try:
        while True:
            if i == n:  # no trailer byte; browsers accept it, so do we
                return n, meta
            block = data[i]
            if block == 0x3B:
                return i + 1, meta
            if block == 0x21:  # extension: label + sub-blocks
                start = i + 2
                i = _skip_gif_sub_blocks(data, start)
                meta.append((start, i))
            elif block == 0x2C:  # image descriptor [+ local colour table] + LZW size + sub-blocks
                flags = data[i + 9]
                i += 10 + (3 * (2 << (flags & 7)) if flags & 0x80 else 0)
                i = _skip_gif_sub_blocks(data, i + 1)
            else:
                return None
            if i > n:
                return None
    except IndexError:
        return None


def _webp_structure(data):
    n = len(data)
    if n < 20 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    end = 8 + int.from_bytes(data[4:8], "little")
    if end > n:
        return None
    i = 12
    meta = []
    while i + 8 <= end:
        chunk = data[i : i + 4]
        size = int.from_bytes(data[i + 4 : i + 8], "little")
        body = i + 8
        if body + size > end:
            return None
        if chunk in (b"EXIF", b"XMP ", b"ICCP"):
            meta.append((body, body + size))
        i = body + size + (size & 1)
    return end, meta


def _mp4_structure(data):
    n = len(data)
    i = 0
    box_types = []
    while i < n:
        if i + 8 > n:
            return None
        size = int.from_bytes(data[i : i + 4], "big")
        box_type = data[i + 4 : i + 8]
        if not all(0x20 <= c <= 0x7E or c == 0xA9 for c in box_type):
            return None
        header = 8
        if size == 1:
            if i + 16 > n:
                return None
            size = int.from_bytes(data[i + 8 : i + 16], "big")
            header = 16
        elif size == 0:
            size = n - i
        if size < header or i + size > n:
            return None
        box_types.append(box_type)
        i += size
    if not box_types or box_types[0] != b"ftyp" or b"moov" not in box_types:
        return None
    return n, []


def _ebml_vint(data, i, *, keep_marker):
    first = data[i]
    if first == 0:
        raise IndexError("invalid EBML variable-length integer")
    length = 9 - first.bit_length()
    if i + length > len(data):
        raise IndexError("truncated EBML element")
    value = int.from_bytes(data[i : i + length], "big")
    all_ones = (1 << (7 * length)) - 1
    if not keep_marker:
        value &= all_ones
    return value, i + length, (not keep_marker and value == all_ones)


_EBML_HEADER = 0x1A45DFA3
_EBML_DOCTYPE = 0x4282
_EBML_SEGMENT = 0x18538067


def _webm_structure(data):
    n = len(data)
    i = 0
    doc_type = None
    segments = 0
    try:
        while i < n:
            element, i, _ = _ebml_vint(data, i, keep_marker=True)
            size, i, unknown = _ebml_vint(data, i, keep_marker=False)
            if doc_type is None and element != _EBML_HEADER:
                return None
            if unknown:
                if element != _EBML_SEGMENT or doc_type != b"webm":
                    return None
                return n, []
            if i + size > n:
                return None
            if element == _EBML_HEADER:
                j, end = i, i + size
                while j < end:
                    child, j, _ = _ebml_vint(data, j, keep_marker=True)
                    child_size, j, _ = _ebml_vint(data, j, keep_marker=False)
                    if child == _EBML_DOCTYPE:
                        doc_type = bytes(data[j : j + child_size]).rstrip(b"\x00")
                    j += child_size
                if doc_type is None:
                    doc_type = b""
            elif element == _EBML_SEGMENT:
                segments += 1
            i += size
    except IndexError:
        return None
    if doc_type != b"webm" or not segments:
        return None
    return n, []


_STRUCTURE = {
    "image/jpeg": _jpeg_structure,
    "image/png": _png_structure,
    "image/gif": _gif_structure,
    "image/webp": _webp_structure,
    "video/mp4": _mp4_structure,
    "video/webm": _webm_structure,
}


def check_structure(data: bytes, file_type: FileType) -> list[tuple[int, int]]:
    """Walk the container; refuse broken files and anything appended after the real end.

    Returns the byte ranges holding metadata (EXIF, comments, text chunks) for the content scan.
    """
    scanned = _STRUCTURE[file_type.mime](data)
    if scanned is None:
        if file_type.media_type == "video":
            raise InspectionError(error_codes.VIDEO_INVALID, gettext("The video file is damaged or incomplete."))
        raise InspectionError(error_codes.IMAGE_INVALID, gettext("The image file is damaged or incomplete."))
    end, meta = scanned
    if data[end:].strip(b"\x00"):
        raise InspectionError(
            error_codes.FILE_CONTENT_REJECTED,
            gettext("The file has extra data after the end of the image (it may hide another file)."),
        )
    return meta


# --- Active content ---------------------------------------------------------------------------
# Long markers are searched in the whole file (a chance match in compressed data is ~2^-47 per
# byte). Shorter markers and archive signatures only where text lives: the first KiB, which
# browsers sniff, and the metadata ranges.

_ACTIVE_ANYWHERE = re.compile(
    rb"<(?:script|iframe|object|embed)[\s/>]|<\?php\s|<!doctype\s+html|javascript:",
    re.IGNORECASE,
)
_ACTIVE_IN_TEXT = re.compile(rb"<(?:html|head|body|svg)[\s/>]|<\?php", re.IGNORECASE)
_ARCHIVE_SIGNATURES = re.compile(rb"PK\x03\x04|PK\x05\x06|Rar!\x1a\x07|7z\xbc\xaf\x27\x1c")
_SNIFF_WINDOW = 1024


def check_active_content(data: bytes, meta_ranges=()):
    rejected = InspectionError(
        error_codes.FILE_CONTENT_REJECTED, gettext("The file contains HTML, script or archive content and was refused.")
    )
    if _ACTIVE_ANYWHERE.search(data):
        raise rejected
    view = memoryview(data)
    for start, end in [(0, min(len(data), _SNIFF_WINDOW)), *meta_ranges]:
        if _ACTIVE_IN_TEXT.search(view[start:end]) or _ARCHIVE_SIGNATURES.search(view[start:end]):
            raise rejected


# --- Frame headers ----------------------------------------------------------------------------
# Pillow decodes every frame of an animation onto the whole canvas, and a GIF frame placed beyond
# the logical screen grows that canvas (Pillow follows browsers). A tiny GIF whose later frames
# declare a 12000x12000 canvas cost gigabytes once decoded, while the first frame looked harmless.
# These scanners read the canvas of every frame from the headers, without decoding any pixels.


def _gif_canvases(data):
    width, height = int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    flags = data[10]
    i = 13 + (3 * (2 << (flags & 7)) if flags & 0x80 else 0)
    canvases = []
    try:
        while i < len(data) and data[i] != 0x3B:
            block = data[i]
            if block == 0x21:
                i = _skip_gif_sub_blocks(data, i + 2)
            elif block == 0x2C:
                if len(data) < i + 10:
                    return None
                left, top, frame_width, frame_height = (
                    int.from_bytes(data[i + offset : i + offset + 2], "little") for offset in (1, 3, 5, 7)
                )
                width, height = max(width, left + frame_width), max(height, top + frame_height)
                canvases.append((width, height))
                flags = data[i + 9]
                i += 10 + (3 * (2 << (flags & 7)) if flags & 0x80 else 0)
                i = _skip_gif_sub_blocks(data, i + 1)
            else:
                return None
    except IndexError:
        return None
    return canvases


def _png_canvases(data):
    if len(data) < 33 or data[12:16] != b"IHDR":
        return None
    canvas = (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big"))
    declared, frame_controls, i = 1, 0, 8
    while i + 12 <= len(data):
        length, chunk_type = int.from_bytes(data[i : i + 4], "big"), data[i + 4 : i + 8]
        if chunk_type == b"acTL" and length >= 8:
            declared = max(1, int.from_bytes(data[i + 8 : i + 12], "big"))
        elif chunk_type == b"fcTL":
            frame_controls += 1
        elif chunk_type == b"IEND":
            break
        i += 12 + length
    # APNG frames must lie inside the canvas (Pillow refuses them otherwise); acTL may lie about the count.
    return [canvas] * max(declared, frame_controls)


def _webp_canvases(data):
    if len(data) < 30 or data[12:16] != b"VP8X":
        return [None]  # a simple (single-frame) WebP: Pillow reports its size
    canvas = (int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1)
    frames, i, end = 0, 12, min(len(data), 8 + int.from_bytes(data[4:8], "little"))
    while i + 8 <= end:
        size = int.from_bytes(data[i + 4 : i + 8], "little")
        if data[i : i + 4] == b"ANMF":
            frames += 1
        i += 8 + size + (size & 1)
    return [canvas] * max(frames, 1)


_CANVASES = {"image/gif": _gif_canvases, "image/png": _png_canvases, "image/webp": _webp_canvases}


def frame_canvases(data: bytes, file_type: FileType) -> list[tuple[int, int] | None] | None:
    """The canvas (width, height) Pillow decodes for each frame, read from the headers only.

    ``None`` entries mean "the size Pillow reports" (formats whose only frame has no separate
    canvas header); ``None`` as a whole means the headers are broken.
    """
    scanner = _CANVASES.get(file_type.mime)
    return scanner(data) if scanner else [None]


def check_frames(data: bytes, file_type: FileType, rules: "ImageRules", first_size: tuple[int, int]):
    """Refuse, before any pixel is decoded, an image whose frames together cost too much to decode.

    Every frame's canvas must fit the context's maximum dimensions and the service's pixel ceiling;
    the frame count and the pixels summed over all frames must fit the context and the service.
    """
    canvases = frame_canvases(data, file_type)
    if not canvases:
        raise _invalid()
    frames = len(canvases)
    max_frames = min(rules.max_frames or MAX_ANIMATION_FRAMES, MAX_ANIMATION_FRAMES)
    if frames > max_frames:
        raise _too_large(
            gettext("The animation has %(frames)d frames; the maximum here is %(max)d.")
            % {"frames": frames, "max": max_frames}
        )
    total = 0
    for index, canvas in enumerate(canvases):
        width, height = canvas or first_size
        if width < 1 or height < 1:
            raise _invalid()
        if width * height > MAX_IMAGE_PIXELS:
            raise _too_large(
                gettext("Frame %(frame)d declares %(width)dx%(height)d px, more than this service decodes.")
                % {"frame": index + 1, "width": width, "height": height}
            )
        grown = (width, height) != first_size  # the first frame's size was checked, rotation included
        if grown and (
            (rules.max_width and width > rules.max_width) or (rules.max_height and height > rules.max_height)
        ):
            raise _too_large(
                gettext("Frame %(frame)d is %(width)dx%(height)d px; the maximum is %(max_width)sx%(max_height)s px.")
                % {
                    "frame": index + 1,
                    "width": width,
                    "height": height,
                    "max_width": rules.max_width or "-",
                    "max_height": rules.max_height or "-",
                }
            )
        total += width * height
    if frames > 1:
        max_total = min(rules.max_total_pixels or MAX_ANIMATION_PIXELS, MAX_ANIMATION_PIXELS)
        if total > max_total:
            raise _too_large(
                gettext("The animation's %(frames)d frames add up to %(total)d px; the maximum here is %(max)d px.")
                % {"frames": frames, "total": total, "max": max_total}
            )
    return canvases


# --- Images -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageRules:
    min_width: int | None = None
    min_height: int | None = None
    max_width: int | None = None
    max_height: int | None = None
    max_frames: int | None = None
    max_total_pixels: int | None = None  # summed over every frame's canvas
    quality: int = 85
    thumbnail_sizes: dict = field(default_factory=dict)


@dataclass
class ProcessedImage:
    content: bytes
    extension: str
    mime: str
    width: int
    height: int
    thumbnails: dict[str, tuple[bytes, str]]  # name -> (bytes, extension)


_THUMBNAIL_FORMAT = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG"}
_EXTENSION_BY_FORMAT = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
_KEEP_INFO = ("transparency", "duration", "loop", "background")


def _invalid():
    return InspectionError(error_codes.IMAGE_INVALID, gettext("The image could not be read; it may be damaged."))


def _too_large(message):
    return InspectionError(error_codes.IMAGE_TOO_LARGE, message)


def _check_dimensions(width, height, rules):
    if (rules.max_width and width > rules.max_width) or (rules.max_height and height > rules.max_height):
        raise _too_large(
            gettext("The image is %(width)dx%(height)d px; the maximum is %(max_width)sx%(max_height)s px.")
            % {
                "width": width,
                "height": height,
                "max_width": rules.max_width or "-",
                "max_height": rules.max_height or "-",
            }
        )
    if (rules.min_width and width < rules.min_width) or (rules.min_height and height < rules.min_height):
        raise InspectionError(
            error_codes.IMAGE_TOO_SMALL,
            gettext("The image is %(width)dx%(height)d px; the minimum is %(min_width)sx%(min_height)s px.")
            % {
                "width": width,
                "height": height,
                "min_width": rules.min_width or "-",
                "min_height": rules.min_height or "-",
            },
        )


def _has_alpha(image):
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info


def _for_format(image, pil_format):
    """Convert to a mode the encoder writes and browsers display."""
    if pil_format == "JPEG":
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if pil_format == "WEBP":
        wanted = "RGBA" if _has_alpha(image) else "RGB"
        return image if image.mode == wanted else image.convert(wanted)
    if pil_format == "PNG":
        if image.mode in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16"):
            return image
        return image.convert("RGBA" if _has_alpha(image) else "RGB")
    return image  # GIF: the encoder quantizes


def _save_options(pil_format, quality, image):
    options = {}
    if pil_format == "JPEG":
        options = {"quality": quality, "optimize": True, "progressive": True}
    elif pil_format == "WEBP":
        options = {"quality": quality, "method": 4}
    elif pil_format == "PNG":
        options = {"compress_level": 6}
    icc_profile = image.info.get("icc_profile") if pil_format != "GIF" else None
    if icc_profile:
        options["icc_profile"] = icc_profile
    return options


def _encode(image, pil_format, quality, **extra):
    # A CMYK profile does not describe the RGB pixels we write, so it goes with the conversion.
    icc_profile = image.info.get("icc_profile") if image.mode != "CMYK" else None
    image = _for_format(image, pil_format)
    # Only rendering hints survive; EXIF (GPS included), XMP, comments and text chunks are dropped.
    image.info = {key: image.info[key] for key in _KEEP_INFO if key in image.info}
    if icc_profile:
        image.info["icc_profile"] = icc_profile
    buffer = BytesIO()
    image.save(buffer, format=pil_format, **_save_options(pil_format, quality, image), **extra)
    return buffer.getvalue()


def _thumbnails(image, source_format, rules):
    thumbnail_format = _THUMBNAIL_FORMAT[source_format]
    base = image
    if base.mode not in ("RGB", "RGBA", "L"):
        base = base.convert("RGBA" if _has_alpha(base) else "RGB")
    thumbnails = {}
    for name, box in rules.thumbnail_sizes.items():
        thumbnail = base.copy()
        thumbnail.thumbnail((int(box[0]), int(box[1])), Image.Resampling.LANCZOS)
        content = _encode(thumbnail, thumbnail_format, rules.quality)
        thumbnails[name] = (content, _EXTENSION_BY_FORMAT[thumbnail_format])
    return thumbnails


def _orientation(image):
    try:
        return int(image.getexif().get(_ORIENTATION, 1) or 1)
    except Exception:  # noqa: BLE001 - a broken EXIF block only loses the rotation
        return 1


def process_image(data: bytes, file_type: FileType, rules: ImageRules) -> ProcessedImage:
    """Verify, check dimensions from the header (before decoding), decode and re-encode.

    The stored image is a fresh encoding: orientation applied, metadata dropped, quality from
    the rules, thumbnails fitted inside each configured box.
    """
    pil_format = file_type.pil_format
    try:
        image = Image.open(BytesIO(data), formats=[pil_format])
    except Image.DecompressionBombError as exc:
        raise _too_large(gettext("The image declares too many pixels (decompression bomb).")) from exc
    except Exception as exc:  # noqa: BLE001 - any decoder failure on hostile input is a 400
        raise _invalid() from exc

    with image:
        width, height = image.size
        if width < 1 or height < 1:
            raise _invalid()
        if width * height > MAX_IMAGE_PIXELS:
            raise _too_large(
                gettext("The image declares %(width)dx%(height)d px, more than this service decodes.")
                % {"width": width, "height": height}
            )
        orientation = _orientation(image) if pil_format in ("JPEG", "WEBP", "PNG") else 1
        shown_width, shown_height = (height, width) if orientation in _ROTATED_ORIENTATIONS else (width, height)
        _check_dimensions(shown_width, shown_height, rules)
        canvases = check_frames(data, file_type, rules, (width, height))
        try:
            frames = int(getattr(image, "n_frames", 1))
        except Exception as exc:  # noqa: BLE001
            raise _invalid() from exc
        if frames != len(canvases):
            raise _invalid()  # Pillow sees other frames than the headers declare

        try:
            with Image.open(BytesIO(data), formats=[pil_format]) as probe:
                probe.verify()
        except Exception as exc:  # noqa: BLE001
            raise _invalid() from exc

        try:
            if frames > 1:
                content, first = _reencode_animation(image, pil_format, rules.quality, canvases)
            else:
                image.load()
                try:
                    first = ImageOps.exif_transpose(image)
                except Exception:  # noqa: BLE001 - broken EXIF: keep the pixels as they are
                    first = image.copy()
                content = _encode(first.copy(), pil_format, rules.quality)
            thumbnails = _thumbnails(first, pil_format, rules)
        except InspectionError:
            raise
        except Exception as exc:  # noqa: BLE001 - truncated data, bad codes, ...
            raise _invalid() from exc

    return ProcessedImage(
        content=content,
        extension=_EXTENSION_BY_FORMAT[pil_format],
        mime=file_type.mime,
        width=first.width,
        height=first.height,
        thumbnails=thumbnails,
    )


def _reencode_animation(image, pil_format, quality, canvases):
    frames, durations = [], []
    for index, frame in enumerate(ImageSequence.Iterator(image)):
        # The headers were checked; refuse anything Pillow would decode bigger than they said.
        if index >= len(canvases) or frame.size[0] * frame.size[1] > MAX_IMAGE_PIXELS:
            raise _invalid()
        expected = canvases[index]
        if expected is not None and (frame.size[0] > expected[0] or frame.size[1] > expected[1]):
            raise _invalid()
        frame.load()
        durations.append(int(frame.info.get("duration") or 100))
        copy = frame.copy()
        copy.info = {key: frame.info[key] for key in ("transparency",) if key in frame.info}
        frames.append(_for_format(copy, pil_format))
    first = frames[0]
    loop = int(image.info.get("loop", 0) or 0)
    buffer = BytesIO()
    first.save(
        buffer,
        format=pil_format,
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=loop,
        **_save_options(pil_format, quality, first),
    )
    return buffer.getvalue(), first
