"""Screenshots of the shop's pages for the README: ``make screenshots`` (needs a running server
with the demo data, Debian's chromium, and fonts-khmeros for the Khmer pages).

    .venv/bin/python tools/screenshots.py http://127.0.0.1:8765 docs/screenshots

Desktop (1280 px) and phone (390 px) in English, and the phone in Khmer. The signed-in pages use
the demo shopper ``shopper1@skincare.local`` (``seed_demo``'s password); links are read from the
pages themselves (first product with an "Add to cart" button, first order, first journal).
"""

import re
import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SHOPPER = "shopper1@skincare.local"
PASSWORD = "skincare-demo"  # noqa: S105 - the demo shop's printed password (shop/accounts/demo.py)

# name -> (viewport, language, pages); each page is shot full length except where noted
SETS = {
    "desktop": (
        DESKTOP, "en",
        ["home", "category", "search", "product", "review", "cart", "checkout", "orders", "order", "journal",
         "my-reviews"],
    ),
    "phone": (PHONE, "en", ["home", "search", "product", "cart", "checkout", "review"]),
    "khmer": (PHONE, "km", ["home", "category", "product", "orders", "journal"]),
}  # fmt: skip
VIEWPORT_ONLY = {"product"}  # long pages whose top is what a reader needs
ADD_TO_CART = "form.add-to-cart button[type=submit]"


def first_link(page, pattern):
    for href in page.locator("a[href]").evaluate_all("links => links.map(link => link.getAttribute('href'))"):
        if re.fullmatch(pattern, href or ""):
            return href
    return None


def sign_in(page, base):
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill(SHOPPER)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def find_links(page, base):
    """Paths of the pages to shoot, read from the shop's own links."""
    page.goto(base + "/")
    links = {"home": "/", "search": "/search/?q=serum", "cart": "/cart/", "checkout": "/checkout/"}
    links["category"] = first_link(page, r"/c/[\w-]+/")
    for href in dict.fromkeys(
        page.locator("a[href^='/p/']").evaluate_all("links => links.map(link => link.getAttribute('href'))")
    ):
        page.goto(base + href)
        if page.locator(ADD_TO_CART).count():
            links["product"] = href
            links["review"] = first_link(page, r"/reviews/write/\d+/")
            page.locator(ADD_TO_CART).click()  # the cart and checkout have a line
            break
    page.goto(base + "/account/orders/")
    links["orders"] = "/account/orders/"
    links["order"] = first_link(page, r"/account/orders/[\w-]+/")
    page.goto(base + "/journal/")
    links["journal"] = first_link(page, r"/journal/\d+/") or start_journal(page, base, links.get("review"))
    links["my-reviews"] = "/account/reviews/"
    return links


def start_journal(page, base, review_path):
    """The demo shopper has no journal yet: keep one through the pages (three weekly entries), so
    the journal shot shows the timeline and the chart."""
    if not review_path:
        return "/journal/"
    product_id = review_path.rstrip("/").rsplit("/", 1)[-1]
    page.goto(f"{base}/journal/start/?product={product_id}")
    page.locator("#f-goals").fill("Fewer breakouts and a less oily T-zone within a month")
    page.locator("main form button[type=submit]").click()
    for satisfaction, improvement, notes in ((2, 1, "Still oily by noon"), (3, 3, "Fewer new spots"), (4, 4, "Calmer")):
        page.locator(f"#f-overall_satisfaction-{satisfaction}").check()
        page.locator(f"#f-skin_improvement-{improvement}").check()
        page.locator("#f-skin_condition_notes").fill(notes)
        page.locator("form[action$='/entries/'] button[type=submit]").click()
    return page.url.removeprefix(base).split("#")[0]


def write_review(page, base, review_path):
    """Before the "my reviews" shot: the demo shopper reviews the product through the form (once)."""
    page.goto(base + review_path)
    if "/reviews/write/" not in page.url:
        return  # already reviewed: the write link opened the review
    page.locator("#f-rating-5").check()
    page.locator("#f-title").fill("Clearer skin in three weeks")
    page.locator("#f-review_text").fill("Gentle enough to use every other night; fewer blackheads on my nose.")
    page.locator("#f-effectiveness_rating-5").check()
    page.locator("#f-texture_rating-4").check()
    page.locator("form.review-form button[type=submit]").click()


def shoot(base, out):
    out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        links = None
        for name, (viewport, language, names) in SETS.items():
            context = browser.new_context(viewport=viewport, device_scale_factor=1)
            page = context.new_page()
            sign_in(page, base)
            page.goto(base + "/")  # the shopper's language is kept on the profile: choose this set's
            page.locator("#language-select").select_option(language)
            page.locator("form.language button").click()
            if links is None:
                links = find_links(page, base)
            elif page.goto(base + links["product"]) and page.locator(ADD_TO_CART).count():
                page.locator(ADD_TO_CART).click()
            for slug in names:
                if not links.get(slug):
                    print(f"skipped {name}-{slug}: no link to it in the demo data", file=sys.stderr)
                    continue
                if slug == "my-reviews" and links.get("review"):
                    write_review(page, base, links["review"])
                page.goto(base + links[slug])
                page.screenshot(path=str(out / f"{name}-{slug}.png"), full_page=slug not in VIEWPORT_ONLY)
                print(f"{name}-{slug}.png  {links[slug]}", file=sys.stderr)
            context.close()
        browser.close()


if __name__ == "__main__":
    shoot(sys.argv[1].rstrip("/"), Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screenshots"))
