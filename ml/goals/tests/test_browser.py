"""Goals, achievements and subscription pages in a real browser (axe on each), phone width included."""

from datetime import date, timedelta

import pytest

from ml.goals.models import Goal
from ml.goals.tests.helpers import analysis_done
from shop.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from shop.storefront.tests.test_browser import CHROMIUM, assert_accessible, browser, expect  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_achievements"),
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine (apt-get install chromium)"),
]


def _sign_in(page, live_server, path):
    page.goto(f"{live_server.url}{path}")
    page.get_by_label("E-mail").fill("sokha@example.com")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_suggested_goal_then_a_goal_of_my_own_and_the_achievements(live_server, browser):  # noqa: F811
    user = UserFactory(email="sokha@example.com", first_name="Sokha")
    analysis_done(user, hydration=30, redness=90, blemishes=90, pores=60, fine_lines=90, pigmentation=90,
                  texture=90, eye_area=90, radiance=90, oil_balance=90)  # fmt: skip
    page = browser.new_page()
    _sign_in(page, live_server, "/account/goals/")

    expect(page.get_by_role("heading", name="Goals", exact=True)).to_be_visible()
    expect(page.get_by_text("You have no goals yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Set the goal “Hydration to 45”").click()
    expect(page.get_by_text("Goal set.")).to_be_visible()
    expect(page.get_by_role("heading", name="Hydration to 45")).to_be_visible()
    expect(page.get_by_role("progressbar", name="From 30 to 45, now 30")).to_be_visible()

    page.get_by_label("Metric").select_option("pores")
    page.get_by_label("Target value").fill("55")
    page.get_by_label("Deadline").fill((date.today() + timedelta(weeks=6)).isoformat())
    page.get_by_role("button", name="Set the goal", exact=True).click()
    expect(page.get_by_text("Must be above 60.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Target value").fill("75")
    page.get_by_role("button", name="Set the goal", exact=True).click()
    expect(page.get_by_role("heading", name="Pores to 75")).to_be_visible()
    assert sorted(Goal.objects.values_list("metric", "target_value", "source")) == [
        ("hydration", 45, "suggestion"), ("pores", 75, "user"),
    ]  # fmt: skip

    page.get_by_role("link", name="Achievements").click()
    expect(page.get_by_role("heading", name="Achievements", exact=True)).to_be_visible()
    expect(page.get_by_text("1 of 6 unlocked.")).to_be_visible()  # the analysis above unlocked the first one
    expect(page.get_by_role("heading", name="Unlocked First skin analysis")).to_be_visible()
    expect(page.get_by_role("progressbar", name="1 of 5")).to_be_visible()
    assert_accessible(page)

    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("link", name="Subscription").click()
    expect(page.get_by_role("heading", name="Free plan")).to_be_visible()
    expect(page.get_by_role("table", name="Your limits and what you used")).to_be_visible()
    assert_accessible(page)
