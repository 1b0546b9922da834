"""Generated face photos with known, planted properties: the analyzer's tests and benchmark use them.

A drawn face (skin-coloured ellipse with gentle shading and fine texture, eyes, brows, lips) on a
plain background, then exactly the amount asked of each property planted at fixed seeded places.
Everything is seeded, so the same arguments always give the same pixels. No Django here.
"""

from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

SKIN_RGB = (224, 172, 140)
BACKGROUND_RGB = (120, 140, 170)


@dataclass(frozen=True)
class Face:
    """Amounts 0..1 of each planted property (0 = absent), plus lighting and capture faults."""

    redness: float = 0.0  # diffuse red patches on the cheeks and nose
    spots: int = 0  # dark pigment spots
    blemishes: int = 0  # small raised red bumps
    shine: float = 0.0  # specular highlights on the T-zone
    lines: int = 0  # fine horizontal lines on the forehead and crow's feet
    pores: float = 0.0  # density of small dark pores on cheeks and nose
    dryness: float = 0.0  # ashy, flaky patches
    dark_circles: float = 0.0  # darker under-eye bands
    unevenness: float = 0.0  # blotchy large-scale tone
    roughness: float = 0.0  # coarse surface texture
    brightness: float = 1.0  # lighting: every pixel times this
    blur: float = 0.0  # Gaussian blur sigma in pixels
    noise: float = 0.0  # sensor noise (std in 0..255 units)
    skin_rgb: tuple = SKIN_RGB
    size: int = 640
    seed: int = 7


def _ellipse(shape, cy, cx, ry, rx):
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    return ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1.0


def _soft(mask, sigma):
    return ndimage.gaussian_filter(mask.astype(np.float64), sigma)


def face_array(face: Face = Face()) -> np.ndarray:
    """The face as an RGB float array (0..255) before lighting and capture faults."""
    rng = np.random.default_rng(face.seed)
    h = w = face.size
    s = face.size / 640
    img = np.empty((h, w, 3))
    img[:] = BACKGROUND_RGB
    cy, cx, ry, rx = 330 * s, 320 * s, 250 * s, 185 * s
    skin = _ellipse((h, w), cy, cx, ry, rx)
    neck = np.zeros((h, w), bool)
    neck[int(540 * s) :, int(250 * s) : int(390 * s)] = True
    skin |= neck
    base = np.array(face.skin_rgb, float)
    # Gentle shading: brighter in the middle, as a face lit from the front.
    yy, xx = np.mgrid[0:h, 0:w]
    shade = 1.0 - 0.10 * (((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2).clip(0, 1)
    # Fine skin texture: seeded noise smoothed to a grain of a few pixels.
    grain = ndimage.gaussian_filter(rng.normal(0, 1, (h, w)), 1.2 * s) * 6.0
    skin_img = base[None, None, :] * shade[..., None] + grain[..., None]
    img[skin] = skin_img[skin]

    def paint(mask, rgb, alpha=1.0):
        weight = mask * alpha
        img[:] = img * (1 - weight[..., None]) + np.array(rgb, float)[None, None, :] * weight[..., None]

    region = np.zeros((h, w), bool)

    def blobs(count, area, radius, sub_rng):
        """``count`` centres inside the box ``area`` (y0, y1, x0, x1 in 640-px units)."""
        y0, y1, x0, x1 = area
        ys = sub_rng.uniform(y0, y1, count) * s
        xs = sub_rng.uniform(x0, x1, count) * s
        return [(y, x, radius * s) for y, x in zip(ys, xs, strict=True)]

    cheeks_nose = [(380, 470, 175, 265), (380, 470, 375, 465), (300, 420, 295, 345)]
    # Planted properties.
    if face.unevenness:
        field = ndimage.gaussian_filter(np.random.default_rng(face.seed + 1).normal(0, 1, (h, w)), 40 * s)
        field /= np.abs(field).max() or 1
        img[skin] = img[skin] * (1 + 0.22 * face.unevenness * field[skin][:, None])
    if face.roughness:
        coarse = ndimage.gaussian_filter(np.random.default_rng(face.seed + 2).normal(0, 1, (h, w)), 2.5 * s)
        coarse /= coarse.std() or 1
        img[skin] = img[skin] * (1 + 0.04 * face.roughness * coarse[skin][:, None])
    if face.redness:
        sub = np.random.default_rng(face.seed + 3)
        red = np.zeros((h, w))
        for y0, y1, x0, x1 in cheeks_nose:
            for y, x, r in blobs(3, (y0, y1, x0, x1), 34, sub):
                red = np.maximum(red, _soft(_ellipse((h, w), y, x, r * face.redness**0.5 + 1, r * 1.2), 8 * s))
        paint(red * skin, (222, 122, 112), 0.7 * min(1.0, face.redness * 1.5))
    if face.dryness:
        sub = np.random.default_rng(face.seed + 4)
        dry = np.zeros((h, w))
        for y, x, r in blobs(max(1, round(6 * face.dryness)), (250, 470, 180, 460), 30, sub):
            dry = np.maximum(dry, _ellipse((h, w), y, x, r, r * 1.3))
        flakes = (sub.random((h, w)) < 0.25) * dry
        paint(_soft(dry, 3 * s) * skin, (206, 190, 182), 0.55 * min(1.0, face.dryness + 0.3))
        paint(_soft(flakes, 0.7 * s) * skin, (245, 240, 235), 0.7)
    if face.pores:
        sub = np.random.default_rng(face.seed + 5)
        pores = np.zeros((h, w), bool)
        for y0, y1, x0, x1 in cheeks_nose:
            count = int(900 * face.pores * (y1 - y0) * (x1 - x0) / 9000)
            ys = (sub.uniform(y0, y1, count) * s).astype(int)
            xs = (sub.uniform(x0, x1, count) * s).astype(int)
            pores[ys, xs] = True
        pores = ndimage.binary_dilation(pores, iterations=max(1, round(s)))
        paint(_soft(pores, 0.6 * s) * skin, (150, 105, 85), 0.8)
    if face.spots:
        sub = np.random.default_rng(face.seed + 6)
        spots = np.zeros((h, w))
        for y, x, r in blobs(face.spots, (150, 480, 170, 470), 7, sub):
            spots = np.maximum(spots, _soft(_ellipse((h, w), y, x, r, r), 1.5 * s))
        paint(spots * skin, (150, 100, 70), 0.85)
    if face.blemishes:
        sub = np.random.default_rng(face.seed + 7)
        bumps = np.zeros((h, w))
        for y, x, r in blobs(face.blemishes, (150, 490, 170, 470), 6, sub):
            bumps = np.maximum(bumps, _soft(_ellipse((h, w), y, x, r, r), 1.8 * s))
        paint(bumps * skin, (200, 70, 70), 0.9)
    if face.lines:
        sub = np.random.default_rng(face.seed + 8)
        lines = np.zeros((h, w), bool)
        for index in range(face.lines):
            if index % 3 == 2:  # crow's feet beside the eyes
                y = int(sub.uniform(270, 320) * s)
                x0 = int((sub.choice([150, 445]) + sub.uniform(0, 15)) * s)
                lines[y : y + max(1, round(s)), x0 : x0 + int(40 * s)] = True
            else:  # forehead
                y = int(sub.uniform(130, 215) * s)
                x0 = int(sub.uniform(210, 300) * s)
                lines[y : y + max(1, round(s)), x0 : x0 + int(sub.uniform(70, 130) * s)] = True
        paint(_soft(lines, 0.8 * s) * skin, (170, 120, 95), 0.9)
    if face.dark_circles:
        band = _ellipse((h, w), 318 * s, 250 * s, 16 * s, 42 * s) | _ellipse((h, w), 318 * s, 390 * s, 16 * s, 42 * s)
        paint(_soft(band, 5 * s) * skin, (130, 95, 95), 0.6 * face.dark_circles)
    if face.shine:
        sub = np.random.default_rng(face.seed + 9)
        gloss = np.zeros((h, w))
        for y0, y1, x0, x1 in [(140, 220, 250, 390), (280, 420, 300, 340), (380, 430, 190, 250), (380, 430, 390, 450)]:
            for y, x, r in blobs(2, (y0, y1, x0, x1), 16, sub):
                gloss = np.maximum(gloss, _soft(_ellipse((h, w), y, x, r * face.shine**0.5 + 1, r * 1.6), 3 * s))
        paint(gloss * skin, (255, 253, 250), min(1.0, 0.4 + face.shine))
    del region
    # Features drawn last: eyes, brows, lips, hair line.
    for ex in (250, 390):
        paint(_ellipse((h, w), 288 * s, ex * s, 13 * s, 30 * s), (245, 245, 245))
        paint(_ellipse((h, w), 288 * s, ex * s, 11 * s, 11 * s), (60, 45, 40))
        paint(_ellipse((h, w), 248 * s, ex * s, 7 * s, 38 * s), (70, 50, 40))
    paint(_ellipse((h, w), 470 * s, 320 * s, 18 * s, 55 * s), (180, 90, 95))
    paint(
        _ellipse((h, w), 80 * s, 320 * s, 70 * s, 190 * s) & ~_ellipse((h, w), 200 * s, 320 * s, 120 * s, 190 * s),
        (50, 35, 30),
    )
    return img


def face_image(face: Face = Face()) -> Image.Image:
    """The photo: the drawn face with lighting, blur and noise applied, as an 8-bit RGB image."""
    img = face_array(face) * face.brightness
    if face.blur:
        img = np.stack([ndimage.gaussian_filter(img[..., c], face.blur) for c in range(3)], axis=-1)
    if face.noise:
        img = img + np.random.default_rng(face.seed + 100).normal(0, face.noise, img.shape)
    return Image.fromarray(np.clip(np.rint(img), 0, 255).astype(np.uint8), "RGB")


def face_jpeg(face: Face = Face(), quality: int = 92) -> bytes:
    import io

    buffer = io.BytesIO()
    face_image(face).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()
