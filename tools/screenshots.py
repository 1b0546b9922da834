"""Screenshots of the shop's pages for the README: ``make screenshots`` (needs a running server
with the demo data and Debian's chromium).

    .venv/bin/python tools/screenshots.py http://127.0.0.1:8765 docs/screenshots
"""

import shutil
import sys
from pathlib import Path
from urllib.request import urlopen

from playwright.sync_api import sync_playwright

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def first_product_path(base):
    """The first product link of the featured section (the page is the source of truth)."""
    html = urlopen(base + "/").read().decode()  # noqa: S310 - a local URL given on the command line
    start = html.index('href="/p/') + len('href="')
    return html[start : html.index('"', start)]


def shoot(base, out):
    out.mkdir(parents=True, exist_ok=True)
    product = first_product_path(base)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for name, viewport, language in (("desktop", DESKTOP, "en"), ("phone", PHONE, "en"), ("khmer", PHONE, "km")):
            context = browser.new_context(viewport=viewport, device_scale_factor=1)
            page = context.new_page()
            page.goto(base + "/")
            if language != "en":
                page.get_by_label("Language").select_option(language)
                page.locator("form.language button").click()
            for slug, path in (("home", "/"), ("search", "/search/?q=serum"), ("product", product)):
                page.goto(base + path)
                page.screenshot(path=str(out / f"{name}-{slug}.png"), full_page=slug != "product")
            if name == "phone":
                page.goto(base + product)
                page.get_by_role("button", name="Add to cart").click()
                page.screenshot(path=str(out / f"{name}-cart.png"), full_page=True)
            context.close()
        browser.close()


if __name__ == "__main__":
    shoot(sys.argv[1].rstrip("/"), Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screenshots"))
