"""The built-in photo skin analyzer: plain image processing, an estimate and never a diagnosis.

Pure Python (NumPy, SciPy, Pillow), no Django: ``analyze(image_bytes)`` returns an
``AnalysisResult`` or raises ``AnalysisFailed`` with a code and a reason the user can act on.
The same bytes always give the same result (no randomness, no learned weights).

Steps (``docs/skin-analysis.md`` gives each metric's method and limits):

1. Decode, apply the EXIF orientation, downscale to at most 512 px for the quality checks.
2. Skin segmentation in YCrCb (Cr 133-173, Cb 77-127, the Chai & Ngan box) → the largest skin
   blob with holes filled is the face; too little skin → ``no_face``.
3. The face's bounding box is cropped from the full image and scaled to a canonical 320 px
   width, so figures do not depend on the photo's resolution; the face areas (forehead, eyes,
   nose, cheeks, chin) are fixed fractions of that box.
4. Quality: median skin luminance (too dark / overexposed) and a re-blur sharpness ratio
   (gradient energy lost when the face is blurred again: a blurred photo loses little).
5. Ten measures on CIELAB; each is brightness-normalised (ratios against the local or median
   skin lightness, a* over L*+16) so a moderate change of exposure leaves it where it was;
   each maps to a 0-100 score where higher is healthier.
"""

import io
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from scipy import ndimage

METRICS = (
    "hydration",
    "oil_balance",
    "redness",
    "blemishes",
    "pores",
    "fine_lines",
    "pigmentation",
    "texture",
    "eye_area",
    "radiance",
)
AREAS = ("forehead", "eye_area", "nose", "left_cheek", "right_cheek", "chin")

# Which concern (the catalog's SkinConcern values) a low score of each metric points to.
METRIC_CONCERN = {
    "hydration": "dryness",
    "oil_balance": "oiliness",
    "redness": "redness",
    "blemishes": "acne",
    "pores": "pores",
    "fine_lines": "fine_lines",
    "pigmentation": "dark_spots",
    "texture": "texture",
    "eye_area": "dark_circles",
    "radiance": "dullness",
}
CONCERN_BELOW = 70  # a metric under this score is reported as a concern
SEVERITY_BANDS = ((30, "severe"), (50, "moderate"), (CONCERN_BELOW, "mild"))

WORK_SIZE = 512
FACE_WIDTH = 320
MIN_SKIN_FRACTION = 0.04  # of the downscaled photo
MIN_FACE_PIXELS = 60  # shortest side of the face box in the original photo
DARK_LUMA = 55  # median skin luma (0-255) under this: too dark
BRIGHT_LUMA = 235  # over this: overexposed
MIN_SHARPNESS = 0.30
SKIN_CR_MAX = 180  # see skin_mask
RED_FROM = (
    0.22  # a*/(L*+16) above this reads as redness (typical skin sits at 0.12-0.22)  # re-blur ratio under this: blurred
)

NAME = "builtin-v1"


class AnalysisFailed(Exception):  # noqa: N818 - a result kind, not a programming error
    """The photo cannot be analysed; ``code`` is one of the failure codes, ``reason`` says what to do."""

    def __init__(self, code, reason):
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Concern:
    concern: str
    metric: str
    severity: str
    areas: tuple = ()


@dataclass(frozen=True)
class AnalysisResult:
    metrics: dict
    overall: int
    concerns: tuple
    acne_severity: str
    blemish_count: int
    skin_type: str
    skin_type_confidence: float
    measurements: dict = field(default_factory=dict)
    analyzer: str = NAME


# --- colour spaces ---------------------------------------------------------------------------------


def rgb_to_ycrcb(rgb):
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cr = (r - y) * 0.713 + 128
    cb = (b - y) * 0.564 + 128
    return y, cr, cb


def rgb_to_lab(rgb):
    """sRGB (0..255) → CIELAB (D65)."""
    c = rgb / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    x = linear @ np.array([0.4124564, 0.3575761, 0.1804375]) / 0.95047
    y = linear @ np.array([0.2126729, 0.7151522, 0.0721750])
    z = linear @ np.array([0.0193339, 0.1191920, 0.9503041]) / 1.08883

    def f(t):
        return np.where(t > 216 / 24389, np.cbrt(t), (24389 / 27 * t + 16) / 116)

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def skin_mask(rgb):
    """Skin by colour: the classic YCrCb box (Cr 133-173, Cb 77-127) with Cr widened to 180.

    Cr - 128 grows with the exposure, so at 173 a red patch (inflamed skin, Cr ~172) left the box
    when the photo was 15 % brighter: the face blob broke at the cheeks and the redness score moved
    up to 54 points. Red skin is skin; the lips, as red, are cut by position in ``_measured_skin``."""
    _y, cr, cb = rgb_to_ycrcb(rgb)
    return (cr >= 133) & (cr <= SKIN_CR_MAX) & (cb >= 77) & (cb <= 127)


# --- loading and geometry --------------------------------------------------------------------------


def _load(image_bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(image_bytes))
        image = ImageOps.exif_transpose(image)
        return image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise AnalysisFailed("unreadable", "The photo could not be read. Upload a JPEG, PNG or WebP photo.") from exc


def _largest_blob(mask):
    labels, count = ndimage.label(mask)
    if not count:
        return np.zeros_like(mask)
    sizes = ndimage.sum(mask, labels, index=range(1, count + 1))
    return labels == (int(np.argmax(sizes)) + 1)


def _face_box(image: Image.Image):
    """Bounding box (left, top, right, bottom) of the face in the original photo, from a downscaled copy."""
    small = image.copy()
    small.thumbnail((WORK_SIZE, WORK_SIZE), Image.Resampling.BOX)
    rgb = np.asarray(small, dtype=np.float64)
    mask = skin_mask(rgb)
    if mask.any():  # dark hair and shadows pass the colour box: keep what is near the skin's brightness
        luma = rgb_to_ycrcb(rgb)[0]
        mask &= luma > 0.6 * float(np.median(luma[mask]))
    mask = ndimage.binary_opening(mask, iterations=2)
    face = ndimage.binary_fill_holes(_largest_blob(mask))
    fraction = float(face.mean())
    if fraction < MIN_SKIN_FRACTION:
        raise AnalysisFailed(
            "no_face",
            "No face was found. Take the photo facing the camera, your face filling most of the frame, in daylight.",
        )
    rows, cols = np.nonzero(face)
    top, bottom = rows.min(), rows.max() + 1
    left, right = cols.min(), cols.max() + 1
    # A face is taller than wide: a neck below the chin is cut to 1.45 x the width.
    bottom = min(bottom, top + int(round((right - left) * 1.45)))
    scale = image.width / small.width
    box = tuple(int(round(v * scale)) for v in (left, top, right, bottom))
    if min(box[2] - box[0], box[3] - box[1]) < MIN_FACE_PIXELS:
        raise AnalysisFailed("no_face", "The face is too small in the photo. Move closer to the camera.")
    return box, fraction


def _area_masks(shape):
    """Face areas as fixed fractions of the face box (a frontal, upright face)."""
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w]
    fy, fx = yy / h, xx / w
    return {
        "forehead": (fy >= 0.08) & (fy < 0.30) & (fx >= 0.2) & (fx < 0.8),
        "eye_area": (fy >= 0.36) & (fy < 0.50) & (((fx >= 0.12) & (fx < 0.45)) | ((fx >= 0.55) & (fx < 0.88))),
        "nose": (fy >= 0.38) & (fy < 0.66) & (fx >= 0.42) & (fx < 0.58),
        "left_cheek": (fy >= 0.50) & (fy < 0.74) & (fx >= 0.10) & (fx < 0.40),
        "right_cheek": (fy >= 0.50) & (fy < 0.74) & (fx >= 0.60) & (fx < 0.90),
        "chin": (fy >= 0.80) & (fy < 0.97) & (fx >= 0.3) & (fx < 0.7),
    }


# --- measures ----------------------------------------------------------------------------------------


def _score(badness, scale):
    """0 badness → 100; ``scale`` badness → about 37; always within 0..100."""
    return float(100.0 * np.exp(-max(badness, 0.0) / scale))


def _blobs(mask, min_px, max_px):
    labels, count = ndimage.label(mask)
    if not count:
        return 0, np.zeros_like(mask)
    sizes = np.asarray(ndimage.sum(mask, labels, index=range(1, count + 1)))
    keep = np.zeros(count + 1, bool)
    keep[1:] = (sizes >= min_px) & (sizes <= max_px)
    return int(keep.sum()), keep[labels]


@dataclass
class _Maps:
    """Per-pixel maps of the canonical face, computed once and reused for the face and each area."""

    skin: np.ndarray
    lightness: np.ndarray
    red: np.ndarray  # how far a*/(L*+16) exceeds RED_FROM, per pixel
    shine: np.ndarray
    blemish: np.ndarray
    spot: np.ndarray
    pore: np.ndarray
    line: np.ndarray
    dry: np.ndarray
    texture: np.ndarray
    tone: np.ndarray
    median_l: float


def _smooth_within(values, mask, sigma):
    """Gaussian mean of ``values`` over ``mask`` only (normalised convolution): a local background."""
    weight = ndimage.gaussian_filter(mask.astype(np.float64), sigma)
    total = ndimage.gaussian_filter(np.where(mask, values, 0.0), sigma)
    return np.where(weight > 1e-3, total / np.maximum(weight, 1e-3), 0.0)


def _elongated(mask, min_length=10, min_ratio=3.0):
    """Connected pieces of ``mask`` at least ``min_length`` long and ``min_ratio`` times longer than wide."""
    labels, count = ndimage.label(mask)
    keep = np.zeros(count + 1, bool)
    for index, piece in enumerate(ndimage.find_objects(labels), start=1):
        if piece is None:
            continue
        h, w = piece[0].stop - piece[0].start, piece[1].stop - piece[1].start
        if max(h, w) >= min_length and max(h, w) >= min_ratio * min(h, w):
            keep[index] = True
    return keep[labels]


def _measured_skin(rgb, lightness, a_star):
    """The face blob minus its features (eyes, brows, lips, nostrils, hair) and a margin around them.

    Features are what is far darker than the skin, and the holes of non-skin colour that touch
    such dark parts (the white of an eye beside its iris). Holes that touch nothing dark (a red
    patch, a shiny spot, a blemish) stay: they are what the metrics measure. The lips are cut by
    position (a band of the lower face), their colour being too close to a red patch.
    """
    raw = skin_mask(rgb)
    filled = ndimage.binary_fill_holes(_largest_blob(ndimage.binary_opening(raw, iterations=1)))
    if not filled.any():
        return filled, 50.0
    median_l = float(np.median(lightness[filled & raw]))
    dark = filled & (lightness < 0.6 * median_l)
    _count, dark = _blobs(dark, 30, dark.size)
    near_dark = ndimage.binary_dilation(dark, iterations=3)
    an = a_star / (lightness + 16.0)
    reddish = an > float(np.median(an[filled & raw])) + 0.08  # lips stay red when the exposure moves them into the box
    # Pale holes beside dark parts: the whites of the eyes.
    labels, count = ndimage.label(filled & ~raw & ~reddish)
    touching = np.zeros(count + 1, bool)
    touching[np.unique(labels[near_dark & (labels > 0)])] = True
    touching[0] = False
    features = touching[labels]
    # Lips: a sizeable red or non-skin piece centred in the lower middle of the face (closed so a
    # lip whose colour sits on the skin box's edge is one piece, not speckles). Red patches stay.
    labels, _count = ndimage.label(ndimage.binary_closing(filled & (~raw | reddish), iterations=2) & filled)
    h, w = filled.shape
    for index, piece in enumerate(ndimage.find_objects(labels), start=1):
        if piece is None:
            continue
        cy = (piece[0].start + piece[0].stop) / 2 / h
        cx = (piece[1].start + piece[1].stop) / 2 / w
        ph, pw = piece[0].stop - piece[0].start, piece[1].stop - piece[1].start
        if 0.66 <= cy <= 0.95 and 0.38 <= cx <= 0.62 and ph * pw > 600 and pw < 0.5 * w and ph < 0.2 * h:
            features |= labels == index
    features = ndimage.binary_dilation(dark | features, iterations=5)
    skin = ndimage.binary_erosion(filled, iterations=4) & ~features
    return skin, median_l


def _maps(rgb) -> _Maps:
    lightness, a, _b = rgb_to_lab(rgb)
    y, _cr, _cb = rgb_to_ycrcb(rgb)
    skin, median_l = _measured_skin(rgb, lightness, a)
    if not skin.any():
        skin = np.zeros_like(skin)
    # a* over L*+16: unchanged when the exposure scales; lightly smoothed so sensor noise averages out.
    an = ndimage.gaussian_filter(a / (lightness + 16.0), 1.0)
    rel = lightness / max(median_l, 1.0)
    background_an = _smooth_within(an, skin, 8.0)
    background_l = _smooth_within(lightness, skin, 8.0)
    local_dark = (background_l - lightness) / np.maximum(background_l, 1.0)
    red_excess = an - background_an

    # Hue angle in the a*b* plane: a red lesion turns it towards red (down from skin's ~50-60 degrees),
    # a brown pigment spot darkens without turning it.
    hue = np.degrees(np.arctan2(ndimage.gaussian_filter(_b, 1.0), ndimage.gaussian_filter(a, 1.0)))
    hue_drop = _smooth_within(hue, skin, 8.0) - hue
    _count, blemish = _blobs(skin & (red_excess > 0.05) & (hue_drop > 10) & (local_dark > 0.03), 16, 400)
    _count, spot = _blobs(skin & (local_dark > 0.12) & (hue_drop < 8), 20, 600)

    band = ndimage.gaussian_filter(lightness, 0.8) - ndimage.gaussian_filter(lightness, 2.0)
    pore = skin & (band / max(median_l, 1.0) < -0.03) & ~blemish & ~spot
    # Lines: dark valleys, elongated (one Hessian eigenvalue strongly positive, the other small).
    smooth = ndimage.gaussian_filter(lightness, 1.0)
    lyy = np.gradient(np.gradient(smooth, axis=0), axis=0)
    lxx = np.gradient(np.gradient(smooth, axis=1), axis=1)
    lxy = np.gradient(np.gradient(smooth, axis=0), axis=1)
    root = np.sqrt(((lxx - lyy) / 2) ** 2 + lxy**2)
    big = (lxx + lyy) / 2 + root
    small = (lxx + lyy) / 2 - root
    valley = skin & (big / max(median_l, 1.0) > 0.009) & (np.abs(small) < 0.4 * big) & ~blemish & ~spot
    line = _elongated(valley)
    median_an = float(np.median(an[skin])) if skin.any() else 0.0
    dry = skin & (median_an - an > 0.045) & (rel > 0.95) & (rel < 1.22)
    top = rgb.max(axis=-1)
    saturation = (top - rgb.min(axis=-1)) / np.maximum(top, 1.0)
    median_y = float(np.median(y[skin])) if skin.any() else 128.0
    # Specular shine: bright, colourless patches; the opening drops single bright flakes.
    # Fine-scale roughness tells a smooth specular highlight from whitish dry flakes.
    rough = ndimage.gaussian_filter(np.abs(lightness - ndimage.gaussian_filter(lightness, 1.0)), 2.0) / max(
        median_l, 1.0
    )
    shine = ndimage.binary_opening(skin & (y > 1.12 * median_y) & (saturation < 0.22) & (rough < 0.010), iterations=1)
    dry &= ~ndimage.binary_dilation(shine, iterations=3)
    texture = np.abs(ndimage.gaussian_filter(lightness, 1.0) - ndimage.gaussian_filter(lightness, 4.0)) / max(
        median_l, 1.0
    )
    # Blotchiness: tone variations a few pixels to a few tens wide, without the face's overall shading.
    tone = _smooth_within(rel, skin, 5.0) - _smooth_within(rel, skin, 25.0)
    return _Maps(
        skin=skin,
        lightness=lightness,
        red=np.where(skin & ~blemish, np.clip(an - RED_FROM, 0.0, None), 0.0),
        shine=shine,
        blemish=blemish,
        spot=spot,
        pore=pore,
        line=line,
        dry=dry,
        texture=texture,
        tone=tone,
        median_l=median_l,
    )


def _fraction(mask, region):
    n = region.sum()
    return float((mask & region).sum() / n) if n else 0.0


def _measure(maps: _Maps, region, *, eye_ratio):
    """Badness figures and scores of one region (the whole face or one area)."""
    skin = maps.skin & region
    n = int(skin.sum())
    if n < 50:
        return None
    blemish_count, _ = _blobs(maps.blemish & skin, 1, 400)
    spot_count, _ = _blobs(maps.spot & skin, 1, 600)
    per_face = 320 * 400 / n  # counts scaled to a whole canonical face
    tone = maps.tone[skin]
    figures = {
        "red_fraction": _fraction(maps.red > 0.08, skin),
        "red_excess": float(np.mean(maps.red[skin])),
        "shine_fraction": _fraction(maps.shine, skin),
        "blemishes_per_face": blemish_count * per_face,
        "spot_fraction": _fraction(maps.spot, skin),
        "spots_per_face": spot_count * per_face,
        "pore_fraction": _fraction(maps.pore, skin),
        "line_fraction": _fraction(maps.line, skin),
        "dry_fraction": _fraction(maps.dry, skin),
        "texture_energy": float(np.mean(maps.texture[skin])),
        "tone_spread": float(np.std(tone)),
        "eye_darkening": max(0.0, 1.0 - eye_ratio),
    }
    scores = {
        "hydration": _score(figures["dry_fraction"], 0.06),
        "oil_balance": _score(figures["shine_fraction"], 0.03),
        "redness": _score(figures["red_excess"], 0.02),
        "blemishes": _score(figures["blemishes_per_face"], 12.0),
        "pores": _score(figures["pore_fraction"], 0.05),
        "fine_lines": _score(figures["line_fraction"], 0.015),
        "pigmentation": _score(figures["spot_fraction"] * 10 + figures["spots_per_face"] / 25, 1.0),
        "texture": _score(max(figures["texture_energy"] - 0.012, 0.0), 0.02),
        "eye_area": _score(figures["eye_darkening"], 0.05),
        "radiance": _score(max(figures["tone_spread"] - 0.005, 0.0), 0.03),
    }
    return figures, scores, blemish_count


def _sharpness(gray, mask):
    """Re-blur ratio: the share of gradient energy a further blur removes (sharp ~0.5+, blurred ~0.1)."""
    region = ndimage.binary_dilation(mask, iterations=4)

    def energy(img):
        gy, gx = np.gradient(img)
        return float(np.sum((gx**2 + gy**2)[region]))

    before = energy(gray)
    if before <= 0:
        return 0.0
    return 1.0 - energy(ndimage.gaussian_filter(gray, 1.5)) / before


def _canonical(image, box):
    left, top, right, bottom = box
    crop = image.crop(box)
    height = int(round(FACE_WIDTH * (bottom - top) / (right - left)))
    crop = crop.resize((FACE_WIDTH, max(height, 1)), Image.Resampling.LANCZOS)
    return np.asarray(crop, dtype=np.float64)


def severity_for(score):
    for limit, name in SEVERITY_BANDS:
        if score < limit:
            return name
    return "none"


def acne_severity_for(blemish_count):
    """Visible inflammatory lesions on the face, banded like lesion-count scales (an estimate)."""
    if blemish_count == 0:
        return "none"
    if blemish_count <= 5:
        return "mild"
    if blemish_count <= 20:
        return "moderate"
    return "severe"


def concerns_for(metrics, area_scores=None):
    """Concerns from scores: every metric under ``CONCERN_BELOW``, worst first, with its weak areas."""
    concerns = []
    for metric in sorted(METRICS, key=lambda m: (metrics[m], METRICS.index(m))):
        score = metrics[metric]
        if score >= CONCERN_BELOW:
            continue
        areas = ()
        if area_scores:
            ranked = sorted(
                ((area, scores[metric]) for area, scores in area_scores.items() if scores is not None),
                key=lambda item: (item[1], AREAS.index(item[0])),
            )
            weak = [area for area, value in ranked if value < CONCERN_BELOW]
            areas = tuple(weak or [ranked[0][0]] if ranked else ())
        concerns.append(Concern(METRIC_CONCERN[metric], metric, severity_for(score), areas))
    return tuple(concerns)


def skin_type_for(metrics, t_zone_oil=None, cheek_oil=None):
    """A rule-of-thumb skin type from the scores, with a confidence from how clear the margin is."""
    candidates = [
        ("acne", 60 - metrics["blemishes"]),
        ("sensitive", 55 - metrics["redness"]),
        ("oily", 60 - metrics["oil_balance"] if metrics["hydration"] >= 60 else -1),
        ("dry", 60 - metrics["hydration"] if metrics["oil_balance"] >= 70 else -1),
    ]
    if t_zone_oil is not None and cheek_oil is not None:
        candidates.append(("combination", (cheek_oil - t_zone_oil) - 25 if t_zone_oil < 70 else -1))
    name, margin = max(candidates, key=lambda item: item[1])
    if margin <= 0:
        lowest = min(metrics.values())
        return "normal", round(min(0.9, 0.5 + (lowest - 60) / 80), 2)
    return name, round(min(0.9, 0.5 + margin / 60), 2)


def analyze(image_bytes) -> AnalysisResult:
    image = _load(image_bytes)
    box, skin_fraction = _face_box(image)
    rgb = _canonical(image, box)
    maps = _maps(rgb)
    if maps.skin.sum() < 2000:
        raise AnalysisFailed("no_face", "Too little skin is visible. Face the camera without hair or hands in front.")
    luma = float(np.median(rgb_to_ycrcb(rgb)[0][maps.skin]))
    if luma < DARK_LUMA:
        raise AnalysisFailed("too_dark", "The photo is too dark. Face a window or a lamp and try again.")
    if luma > BRIGHT_LUMA:
        raise AnalysisFailed("too_bright", "The photo is overexposed. Avoid direct flash or strong sunlight.")
    sharpness = _sharpness(maps.lightness, maps.skin)
    if sharpness < MIN_SHARPNESS:
        raise AnalysisFailed("blurred", "The photo is blurred. Hold the camera still and let it focus.")

    areas = _area_masks(maps.skin.shape)
    eye, cheeks = maps.skin & areas["eye_area"], maps.skin & (areas["left_cheek"] | areas["right_cheek"])
    cheek_l = float(np.median(maps.lightness[cheeks])) if cheeks.sum() > 50 else maps.median_l
    eye_ratio = float(np.median(maps.lightness[eye])) / max(cheek_l, 1.0) if eye.sum() > 50 else 1.0
    whole = _measure(maps, np.ones_like(maps.skin), eye_ratio=eye_ratio)
    if whole is None:
        raise AnalysisFailed("no_face", "Too little skin is visible. Face the camera without hair or hands in front.")
    figures, scores, blemish_count = whole
    area_scores = {}
    for area, mask in areas.items():
        measured = _measure(maps, mask, eye_ratio=eye_ratio if area == "eye_area" else 1.0)
        area_scores[area] = measured[1] if measured else None
    metrics = {name: int(round(min(max(value, 0.0), 100.0))) for name, value in scores.items()}
    overall = int(round(sum(metrics.values()) / len(metrics)))
    t_zone = [area_scores[a]["oil_balance"] for a in ("forehead", "nose") if area_scores[a]]
    cheek = [area_scores[a]["oil_balance"] for a in ("left_cheek", "right_cheek") if area_scores[a]]
    skin_type, confidence = skin_type_for(
        metrics, min(t_zone) if t_zone else None, sum(cheek) / len(cheek) if cheek else None
    )
    measurements = {
        "skin_luma": round(luma, 1),
        "sharpness": round(sharpness, 3),
        "skin_fraction": round(skin_fraction, 3),
        "face_box": list(box),
        **{key: round(value, 4) for key, value in figures.items()},
    }
    return AnalysisResult(
        metrics=metrics,
        overall=overall,
        concerns=concerns_for(metrics, area_scores),
        acne_severity=acne_severity_for(blemish_count),
        blemish_count=blemish_count,
        skin_type=skin_type,
        skin_type_confidence=confidence,
        measurements=measurements,
    )
