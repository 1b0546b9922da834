"""Expert powers: answer with the badge, verify answers, read the questions waiting for an expert."""

import pytest

from reviews.models import Answer, ContentStatus, Question, Urgency
from shop.accounts import services as account_services
from shop.accounts.models import User
from shop.accounts.tests.factories import ExpertFactory, ModeratorFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
AWAITING = "/api/v1/staff/questions/awaiting-expert"


def _question(product, text="Safe with retinol?", status=ContentStatus.APPROVED, **fields):
    return Question.objects.create(product=product, user=UserFactory(), question=text, status=status, **fields)


def _answer(client, question):
    payload = {"answer": "Alternate nights and use sunscreen.", "expert_credentials": "Dermatologist"}
    response = client.post(f"/api/v1/questions/{question.pk}/answers", payload, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["data"]


@pytest.mark.parametrize(
    ("factory", "badge"),
    [(ExpertFactory, True), (StaffFactory, True), (ModeratorFactory, False), (UserFactory, False)],
)
def test_only_the_expert_capability_answers_with_the_badge(client_for, product, factory, badge):
    data = _answer(client_for(factory()), _question(product))
    assert (data["is_from_expert"], data["expert_credentials"]) == (badge, "Dermatologist" if badge else "")


def test_a_demoted_expert_answers_without_the_badge(client_for, product):
    expert = ExpertFactory()
    account_services.user_set_role(user=expert, role="customer")
    assert _answer(client_for(expert), _question(product))["is_from_expert"] is False


def test_expert_verifies_an_answer_and_a_moderator_cannot(client_for, product):
    question = _question(product)
    answer_id = _answer(client_for(UserFactory()), question)["id"]
    url = f"/api/v1/staff/answers/{answer_id}/verify"

    refused = client_for(ModeratorFactory()).post(url, {"notes": "looks right"}, format="json")
    assert (refused.status_code, Answer.objects.get(pk=answer_id).is_verified_by_admin) == (403, False)

    expert = ExpertFactory()
    response = client_for(expert).post(url, {"notes": "accurate"}, format="json")
    assert response.status_code == 200 and response.json()["data"]["is_verified_by_staff"] is True
    assert Answer.objects.get(pk=answer_id).verified_by_id == expert.pk


def test_questions_awaiting_an_expert_most_urgent_then_oldest(client_for, product):
    expert = ExpertFactory()
    answered_by_expert = _question(product, "Answered by an expert?")
    _answer(client_for(expert), answered_by_expert)
    old_normal = _question(product, "Old normal?")
    high = _question(product, "Burning after use?", urgency_level=Urgency.HIGH)
    community_only = _question(product, "Only a shopper answered?")
    _answer(client_for(UserFactory()), community_only)
    _question(product, "Still pending?", status=ContentStatus.PENDING)

    response = client_for(expert).get(AWAITING)

    assert response.status_code == 200
    assert [q["id"] for q in response.json()["data"]] == [high.pk, old_normal.pk, community_only.pk]
    assert response.json()["data"][2]["top_answer"]["is_from_expert"] is False
    assert client_for(expert).get(AWAITING, {"product_id": product.pk + 1}).json()["data"] == []
    assert client_for(expert).get(AWAITING, {"product_id": "x"}).status_code == 400
    assert client_for(UserFactory()).get(AWAITING).status_code == 403


def test_only_moderators_read_another_users_progress_journals(client_for, user):
    assert client_for(ModeratorFactory()).get(f"/api/v1/progress/user/{user.pk}").status_code == 200
    assert client_for(ExpertFactory()).get(f"/api/v1/progress/user/{user.pk}").status_code == 404


def test_questions_awaiting_an_expert_in_constant_queries(client_for, product, django_assert_num_queries):
    expert = ExpertFactory()

    def client():  # a fresh user object per request, as in production (no permission cache)
        return client_for(User.objects.get(pk=expert.pk))

    _question(product, "Question 0?")
    _answer(client_for(UserFactory()), _question(product, "Question 1?"))
    # permissions (2), count, questions, their media, their answers, the answers' media
    fresh = client()
    with django_assert_num_queries(7):
        assert len(fresh.get(AWAITING).json()["data"]) == 2
    for n in range(2, 8):
        _answer(client_for(UserFactory()), _question(product, f"Question {n}?"))
    fresh = client()
    with django_assert_num_queries(7):
        assert len(fresh.get(AWAITING).json()["data"]) == 8
