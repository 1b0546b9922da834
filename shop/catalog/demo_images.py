"""Generated product photos for the demo shop (Pillow): a coloured bottle, tube or jar
with the brand and product name on a soft background."""

import io
import textwrap

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageColor, ImageDraw, ImageFont

from shop.catalog.models import ProductType

SIZE = 600
TUBES = {ProductType.CLEANSER, ProductType.SUNSCREEN, ProductType.LIP_CARE, ProductType.TREATMENT}
JARS = {ProductType.MOISTURIZER, ProductType.MASK, ProductType.EYE_CARE}


def _tint(rgb, amount):
    return tuple(int(c + (255 - c) * amount) for c in rgb)


def product_image(product, *, colour):
    rgb = ImageColor.getrgb(colour)
    image = Image.new("RGB", (SIZE, SIZE), _tint(rgb, 0.85))
    draw = ImageDraw.Draw(image)
    for y in range(SIZE):  # vertical gradient
        draw.line([(0, y), (SIZE, y)], fill=_tint(rgb, 0.92 - 0.25 * y / SIZE))
    if product.product_type in JARS:
        body = (150, 260, 450, 500)
        draw.rounded_rectangle((140, 200, 460, 270), radius=20, fill=_tint(rgb, 0.2))
    elif product.product_type in TUBES:
        body = (210, 110, 390, 520)
        draw.rectangle((250, 520, 350, 560), fill=_tint(rgb, 0.2))
    else:
        body = (200, 170, 400, 540)
        draw.rectangle((265, 90, 335, 170), fill=_tint(rgb, 0.2))
    draw.rounded_rectangle(body, radius=28, fill=rgb)
    label = (body[0] + 14, (body[1] + body[3]) // 2 - 70, body[2] - 14, (body[1] + body[3]) // 2 + 70)
    draw.rounded_rectangle(label, radius=10, fill=(255, 255, 255))
    font = ImageFont.load_default(size=15)
    title = ImageFont.load_default(size=18)
    draw.text((label[0] + 10, label[1] + 10), product.brand.name.upper(), fill=rgb, font=title)
    short = product.name.removeprefix(product.brand.name).strip()
    for line_no, line in enumerate(textwrap.wrap(short, width=18)[:5]):
        draw.text((label[0] + 10, label[1] + 38 + line_no * 19), line, fill=(60, 60, 60), font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile(f"{product.slug[:80]}.jpg", buffer.getvalue(), content_type="image/jpeg")
