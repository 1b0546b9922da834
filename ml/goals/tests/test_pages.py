"""The account pages: subscription, goals, achievements (server-rendered, English and Khmer)."""

from datetime import date, timedelta

import pytest
from django.test import Client

from ml.goals import services
from ml.goals.models import Goal
from ml.goals.tests.helpers import analysis_done
from shop.accounts.tests.factories import UserFactory
from shop.subscriptions import services as subscription_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper():
    return UserFactory(email="dara@example.com")


@pytest.fixture
def shopper_client(shopper):
    client = Client()
    client.force_login(shopper)
    return client


@pytest.mark.parametrize("path", ["/account/goals/", "/account/achievements/", "/account/subscription/"])
def test_pages_need_a_signed_in_shopper(client, path):
    response = client.get(path)
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/accounts/login/")


def test_subscription_page_shows_plan_usage_and_reset(shopper, shopper_client, settings):
    settings.SUBSCRIPTION_FREE_DAILY_QUESTIONS = 3
    subscription_services.quota_consume(user=shopper, kind="question")
    page = shopper_client.get("/account/subscription/").content.decode()
    assert "Free plan" in page
    assert '<th scope="row">Expert questions today</th>\n      <td>1 of 3</td>\n      <td>2</td>' in page
    subscription_services.premium_grant(user=shopper, days=30)
    shopper_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
    page = shopper_client.get("/account/subscription/").content.decode()
    assert "គម្រោងពិសេស" in page and "Premium plan" not in page


def test_setting_a_goal_on_the_page_and_seeing_its_progress(shopper, shopper_client, django_assert_num_queries):
    analysis_done(shopper, hydration=40)
    deadline = (date.today() + timedelta(weeks=4)).isoformat()
    response = shopper_client.post(
        "/account/goals/new/", {"metric": "hydration", "target_value": "60", "deadline": deadline}
    )
    assert (response.status_code, response["Location"]) == (302, "/account/goals/")
    goal = Goal.objects.get(user=shopper)
    Goal.objects.filter(pk=goal.pk).update(current_value=50, progress=50)
    page = shopper_client.get("/account/goals/").content.decode()
    assert "<h2>Hydration to 60</h2>" in page
    assert 'value="50">50 %</progress>' in page
    assert "From 40 to 60, now 50" in page

    for metric in ("pores", "texture", "radiance"):
        services.goal_create(user=shopper, metric=metric, target_value=90, deadline=date.today() + timedelta(9))
    # session, user, goals page + milestones, suggestions (open goals, latest analysis), messages
    with django_assert_num_queries(7):
        shopper_client.get("/account/goals/")


def test_a_refused_goal_shows_why_and_keeps_the_form(shopper, shopper_client):
    deadline = (date.today() + timedelta(weeks=4)).isoformat()
    response = shopper_client.post(
        "/account/goals/new/", {"metric": "hydration", "target_value": "60", "deadline": deadline}
    )
    assert response.status_code == 400
    assert "Take a skin analysis first" in response.content.decode()
    analysis_done(shopper, hydration=70)
    response = shopper_client.post(
        "/account/goals/new/", {"metric": "hydration", "target_value": "60", "deadline": deadline}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="goal-target-error" class="field-error">Must be above 70.</p>' in page
    assert 'value="60"' in page
    assert not Goal.objects.exists()


def test_a_suggestion_becomes_a_goal_with_one_button(shopper, shopper_client):
    analysis_done(shopper, hydration=30, redness=90, blemishes=90, pores=90, fine_lines=90, pigmentation=90,
                  texture=90, eye_area=90, radiance=90, oil_balance=90)  # fmt: skip
    page = shopper_client.get("/account/goals/").content.decode()
    assert "Set the goal “Hydration to 45”" in page
    deadline = (date.today() + timedelta(weeks=8)).isoformat()
    shopper_client.post(
        "/account/goals/new/",
        {"metric": "hydration", "target_value": "45", "deadline": deadline, "from_suggestion": "1"},
    )
    assert list(Goal.objects.values_list("metric", "target_value", "source")) == [("hydration", 45, "suggestion")]


def test_deleting_only_my_goal_from_the_page(shopper, shopper_client):
    other = UserFactory()
    analysis_done(other)
    theirs = services.goal_create(user=other, metric="pores", target_value=80, deadline=date.today() + timedelta(9))
    shopper_client.post(f"/account/goals/{theirs.pk}/delete/")
    assert Goal.objects.filter(pk=theirs.pk).exists()


def test_achievements_page_in_khmer_with_progress(shopper, shopper_client, settings):
    analysis_done(shopper)
    services.achievements_evaluate(user=shopper)
    shopper_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
    page = shopper_client.get("/account/achievements/").content.decode()
    assert "បានដោះសោ 1 ក្នុងចំណោម 6។" in page
    assert "ការវិភាគស្បែកលើកដំបូង" in page
    assert "1 ក្នុងចំណោម 5" in page  # five analyses: 1 of 5
