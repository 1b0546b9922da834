"""Screenshots of the back office for the README: the admin's dashboard, an order page, the
moderation queue and a moderation item, and the moderator's dashboard. Run by ``make screenshots``
after ``tools/screenshots.py`` (a running server with the demo data and Debian's chromium)::

    .venv/bin/python tools/admin_screenshots.py http://127.0.0.1:8765 docs/screenshots

Signs in as the demo admin and moderator (``shop/accounts/demo.py``).
"""

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

DESKTOP = {"width": 1280, "height": 900}
ADMIN = "admin@skincare.local"
MODERATOR = "moderator@skincare.local"
PASSWORD = "skincare-demo"  # noqa: S105 - the demo shop's published password


def sign_in(page, base, email):
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/admin/")


def first_link(page, selector):
    """The first row's link of a changelist (the page is the source of truth)."""
    return page.locator(selector).first.get_attribute("href")


def shoot(base, out):
    out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        admin = browser.new_context(viewport=DESKTOP, device_scale_factor=1)
        page = admin.new_page()
        sign_in(page, base, ADMIN)
        page.screenshot(path=str(out / "admin-dashboard.png"), full_page=True)
        page.goto(f"{base}/admin/orders/order/?status__in=confirmed,processing")
        page.goto(base + first_link(page, "#result_list tbody th a"))
        page.screenshot(path=str(out / "admin-order.png"), full_page=True)
        admin.close()

        moderator = browser.new_context(viewport=DESKTOP, device_scale_factor=1)
        page = moderator.new_page()
        sign_in(page, base, MODERATOR)
        page.screenshot(path=str(out / "admin-moderator-dashboard.png"), full_page=True)
        page.goto(f"{base}/admin/feedback/moderationitem/?queue=open")
        page.screenshot(path=str(out / "admin-moderation-queue.png"), full_page=False)
        page.goto(base + first_link(page, "#result_list tbody th a"))
        page.screenshot(path=str(out / "admin-moderation-item.png"), full_page=True)
        moderator.close()
        browser.close()


if __name__ == "__main__":
    shoot(sys.argv[1].rstrip("/"), Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screenshots"))
