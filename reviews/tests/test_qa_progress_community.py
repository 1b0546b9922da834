import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from feedback.models import ModerationItem, Notification
from feedback.services import moderation_approve
from reviews.categorize import categorize, urgency
from reviews.models import Answer, AnswerVote, ProgressEntry, Question
from reviews.tests.helpers import deliver, review_payload
from shop.accounts.tests.factories import UserFactory
from shop.files.services import file_upload
from shop.files.tests.factories import jpeg_bytes

pytestmark = pytest.mark.django_db


def client_of(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def ask(client, product, text="Can I use this with retinol at night?", **extra):
    return client.post(f"/api/v1/products/{product.pk}/questions", {"question": text, **extra}, format="json")


# --- Q&A -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,category",
    [
        ("Does it contain fragrance or alcohol?", "ingredients"),
        ("How often should I apply it, morning or night?", "usage"),
        ("How long until you see results?", "results"),
        ("Did anyone get a rash or burning?", "side_effects"),
        ("Is it safe for pregnancy? Can I use with vitamin c?", "compatibility"),
        ("Where is it made?", "general"),
    ],
)
def test_categorize(text, category):
    assert categorize(text) == category


def test_urgency():
    assert urgency("My face is swollen and burning after using it") == "high"
    assert urgency("Nice?") == "low"


def test_question_answer_flow(auth_client, user, product, api_client):
    asked = ask(auth_client, product, skin_type_context="acne", age_range="25-30")
    assert asked.status_code == 201, asked.json()
    question = asked.json()["data"]
    assert question["category"] == "compatibility" and question["status"] == "approved"

    expert = UserFactory(role="expert")
    buyer = UserFactory()
    deliver(buyer, product)
    url = f"/api/v1/questions/{question['id']}/answers"
    expert_answer = client_of(expert).post(
        url, {"answer": "Yes, alternate nights.", "expert_credentials": "Dermatologist"}, format="json"
    )
    assert expert_answer.status_code == 201
    assert expert_answer.json()["data"]["is_from_expert"] is True
    buyer_answer = client_of(buyer).post(
        url, {"answer": "Worked fine for me.", "expert_credentials": "trust me"}, format="json"
    )
    data = buyer_answer.json()["data"]
    assert data["is_from_verified_buyer"] is True and data["is_from_expert"] is False
    assert data["expert_credentials"] == ""

    q = Question.objects.get(pk=question["id"])
    assert q.is_answered and q.answer_count == 2
    assert Notification.objects.filter(user=user, type="question_answered").count() == 2
    expert.refresh_from_db()
    assert expert.answers_provided == 1 and expert.community_score == 3

    listing = api_client.get(f"/api/v1/products/{product.pk}/questions").json()
    assert listing["meta"]["total"] == 1
    assert listing["data"][0]["top_answer"]["is_from_expert"] is True
    answers = api_client.get(url).json()["data"]
    assert [a["is_from_expert"] for a in answers] == [True, False]
    assert (
        api_client.get(f"/api/v1/products/{product.pk}/questions", {"category": "usage"}).json()["meta"]["total"] == 0
    )


def test_answer_votes_and_helpful_notification(auth_client, user, product):
    question_id = ask(client_of(UserFactory()), product).json()["data"]["id"]
    answerer = UserFactory()
    answer_id = (
        client_of(answerer)
        .post(f"/api/v1/questions/{question_id}/answers", {"answer": "Use it at night only."}, format="json")
        .json()["data"]["id"]
    )
    url = f"/api/v1/answers/{answer_id}/vote"
    response = auth_client.post(url, {"vote_type": "helpful"}, format="json")
    assert response.status_code == 201 and response.json()["data"]["helpful_votes"] == 1
    assert auth_client.post(url, {"vote_type": "helpful"}, format="json").status_code == 409
    own = client_of(answerer).post(url, {"vote_type": "helpful"}, format="json")
    assert own.status_code == 403
    assert Notification.objects.filter(user=answerer, type="answer_helpful").count() == 1
    answerer.refresh_from_db()
    assert answerer.helpful_votes_received == 1 and answerer.community_score == 5


def test_answer_vote_switches_and_refuses_the_same_vote_twice(auth_client, product):
    question_id = ask(client_of(UserFactory()), product).json()["data"]["id"]
    answer_id = (
        client_of(UserFactory())
        .post(f"/api/v1/questions/{question_id}/answers", {"answer": "Use it at night only."}, format="json")
        .json()["data"]["id"]
    )
    url = f"/api/v1/answers/{answer_id}/vote"
    assert auth_client.post(url, {"vote_type": "helpful"}, format="json").status_code == 201

    switched = auth_client.post(url, {"vote_type": "unhelpful"}, format="json")
    again = auth_client.post(url, {"vote_type": "unhelpful"}, format="json")

    assert (switched.json()["data"]["helpful_votes"], switched.json()["data"]["unhelpful_votes"]) == (0, 1)
    assert (again.status_code, again.json()["code"], again.json()["message"]) == (
        409,
        "ALREADY_VOTED",
        "You already voted this answer unhelpful.",
    )
    assert AnswerVote.objects.filter(answer_id=answer_id).count() == 1


def test_question_votes(auth_client, product):
    mine = ask(auth_client, product).json()["data"]["id"]
    theirs = ask(client_of(UserFactory()), product, text="Does it pill under sunscreen?").json()["data"]["id"]
    assert auth_client.post(f"/api/v1/questions/{mine}/vote").status_code == 403
    assert auth_client.post(f"/api/v1/questions/{theirs}/vote").status_code == 201
    again = auth_client.post(f"/api/v1/questions/{theirs}/vote")
    assert again.status_code == 409 and again.json()["code"] == "ALREADY_VOTED"


def test_flagged_question_hidden_and_not_answerable(auth_client, api_client, product, staff_user):
    question = ask(auth_client, product, text="Will this cure my acne like a prescription?").json()["data"]
    assert question["status"] == "flagged"
    assert api_client.get(f"/api/v1/products/{product.pk}/questions").json()["meta"]["total"] == 0
    other = client_of(UserFactory())
    answer = other.post(f"/api/v1/questions/{question['id']}/answers", {"answer": "yes"}, format="json")
    assert answer.status_code == 404
    moderation_approve(item=ModerationItem.objects.get(content_type="question"), by=staff_user)
    assert api_client.get(f"/api/v1/products/{product.pk}/questions").json()["meta"]["total"] == 1


@pytest.mark.parametrize(
    "payload",
    [{"question": ""}, {"question": "x" * 1001}, {"question": "Valid question?", "skin_type_context": "blue"},
     {"question": "Valid question?", "age_range": "young"},
     {"question": "Valid question?", "skin_concerns_context": ["warts"]}],
)  # fmt: skip
def test_bad_questions_are_400(auth_client, product, payload):
    assert auth_client.post(f"/api/v1/products/{product.pk}/questions", payload, format="json").status_code == 400


def test_staff_verifies_answer(staff_client, auth_client, product):
    question_id = ask(client_of(UserFactory()), product).json()["data"]["id"]
    answer_id = auth_client.post(
        f"/api/v1/questions/{question_id}/answers", {"answer": "Yes it is fine."}, format="json"
    ).json()["data"]["id"]
    assert auth_client.post(f"/api/v1/staff/answers/{answer_id}/verify", {}, format="json").status_code == 403
    response = staff_client.post(f"/api/v1/staff/answers/{answer_id}/verify", {"notes": "accurate"}, format="json")
    assert response.status_code == 200 and response.json()["data"]["is_verified_by_staff"] is True
    assert Answer.objects.get(pk=answer_id).verified_by_id is not None
    assert staff_client.post("/api/v1/staff/answers/999999/verify", {}, format="json").status_code == 404


def test_question_list_query_count(api_client, product, django_assert_max_num_queries):
    for n in range(8):
        question_id = ask(client_of(UserFactory()), product, text=f"Question number {n} about usage?").json()["data"][
            "id"
        ]
        client_of(UserFactory()).post(
            f"/api/v1/questions/{question_id}/answers", {"answer": "Works well."}, format="json"
        )
    with django_assert_max_num_queries(8):
        response = api_client.get(f"/api/v1/products/{product.pk}/questions")
    assert len(response.json()["data"]) == 8


# --- Progress journals ---------------------------------------------------------------------------


def week(client, journal_id, number, **extra):
    payload = {"journal_id": journal_id, "week_number": number, "overall_satisfaction": 3, "skin_improvement": 3}
    return client.post("/api/v1/progress/update", {**payload, **extra}, format="json")


def test_progress_journal_flow(auth_client, user, product, api_client):
    started = auth_client.post(f"/api/v1/progress/start/{product.pk}", {"goals": "fewer breakouts"}, format="json")
    assert started.status_code == 201
    journal_id = started.json()["data"]["id"]
    again = auth_client.post(f"/api/v1/progress/start/{product.pk}", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "PROGRESS_ALREADY_TRACKING"

    assert week(auth_client, journal_id, 1, acne_reduced=False).status_code == 201
    second = week(auth_client, journal_id, 2, overall_satisfaction=5, acne_reduced=True, oil_control_improved=True)
    assert second.status_code == 201 and second.json()["data"]["improvements"] == [
        "acne_reduced",
        "oil_control_improved",
    ]
    duplicate = week(auth_client, journal_id, 2)
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "PROGRESS_WEEK_EXISTS"
    for bad in (53, 0):
        response = week(auth_client, journal_id, bad)
        assert response.status_code == 400 and "week_number" in response.json()["errors"]
    assert week(auth_client, journal_id, 3, overall_satisfaction=6).status_code == 400
    assert week(auth_client, journal_id, 3, side_effects_severity=-1).status_code == 400
    by_product = auth_client.post(
        "/api/v1/progress/update",
        {"product_id": product.pk, "week_number": 3, "overall_satisfaction": 4, "skin_improvement": 4},
        format="json",
    )
    assert by_product.status_code == 201

    timeline = auth_client.get(f"/api/v1/progress/{journal_id}/timeline").json()["data"]
    assert [e["week_number"] for e in timeline["entries"]] == [1, 2, 3]
    assert timeline["summary"]["satisfaction_change"] == 1
    assert timeline["summary"]["improvement_weeks"] == {"acne_reduced": 1, "oil_control_improved": 1}

    # private journal: others get 404
    assert api_client.get(f"/api/v1/progress/{journal_id}/timeline").status_code == 404
    other = client_of(UserFactory())
    assert other.get(f"/api/v1/progress/{journal_id}/timeline").status_code == 404
    assert week(other, journal_id, 4).status_code == 404
    assert other.get(f"/api/v1/progress/user/{user.pk}").status_code == 404
    assert auth_client.get(f"/api/v1/progress/user/{user.pk}").json()["meta"]["total"] == 1

    entry_id = second.json()["data"]["id"]
    assert (
        other.patch(f"/api/v1/progress/entries/{entry_id}", {"lifestyle_factors": "x"}, format="json").status_code
        == 404
    )
    edited = auth_client.patch(f"/api/v1/progress/entries/{entry_id}", {"lifestyle_factors": "stress"}, format="json")
    assert edited.status_code == 200 and edited.json()["data"]["lifestyle_factors"] == "stress"

    done = auth_client.post(f"/api/v1/progress/{journal_id}/complete", {"completion_notes": "Clear!"}, format="json")
    assert done.status_code == 200 and done.json()["data"]["status"] == "completed"
    assert week(auth_client, journal_id, 4).status_code == 409
    assert auth_client.post(f"/api/v1/progress/{journal_id}/abandon", {}, format="json").status_code == 409
    # tracking again after completion is allowed
    assert auth_client.post(f"/api/v1/progress/start/{product.pk}", {}, format="json").status_code == 201


def test_progress_photos_private_by_default(auth_client, user, product, api_client, staff_user):
    journal_id = auth_client.post(f"/api/v1/progress/start/{product.pk}", {"is_public": True}, format="json").json()[
        "data"
    ]["id"]
    entry_id = week(auth_client, journal_id, 1).json()["data"]["id"]
    upload = SimpleUploadedFile("face.jpg", jpeg_bytes(), content_type="image/jpeg")
    photo = file_upload(owner=user, context="progress", uploads=[upload], temporary=True)[0]
    assert photo.is_public is False
    response = auth_client.post(
        f"/api/v1/progress/{entry_id}/photo",
        {"photos": [{"file_id": str(photo.public_id), "angle": "front", "lighting_condition": "natural"}]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert ProgressEntry.objects.get(pk=entry_id).photo_count == 1
    moderation_approve(item=ModerationItem.objects.get(content_type="progress_photo"), by=staff_user)
    mine = auth_client.get(f"/api/v1/progress/{journal_id}/timeline").json()["data"]
    assert len(mine["entries"][0]["photos"]) == 1
    public = api_client.get(f"/api/v1/progress/{journal_id}/timeline").json()["data"]
    assert public["entries"][0]["photos"] == []  # private photo never shown to others
    assert api_client.get(f"/api/v1/progress/product/{product.pk}").json()["meta"]["total"] == 1
    other = client_of(UserFactory())
    forbidden = other.post(
        f"/api/v1/progress/{entry_id}/photo", {"photos": [{"file_id": str(photo.public_id)}]}, format="json"
    )
    assert forbidden.status_code == 404
    bad = auth_client.post(f"/api/v1/progress/{entry_id}/photo", {"photos": []}, format="json")
    assert bad.status_code == 400


# --- Community -----------------------------------------------------------------------------------


def test_dashboard_impact_reputation_and_leaders(auth_client, user, product, api_client):
    deliver(user, product)
    review_id = auth_client.post(f"/api/v1/products/{product.pk}/reviews", review_payload(), format="json").json()[
        "data"
    ]["id"]
    for voter in UserFactory.create_batch(3):
        client_of(voter).post(f"/api/v1/reviews/{review_id}/vote", {"vote_type": "helpful"}, format="json")
    dashboard = auth_client.get("/api/v1/user/feedback/dashboard")
    assert dashboard.status_code == 200
    data = dashboard.json()["data"]
    assert data["impact"]["people_found_reviews_helpful"] == 3
    assert data["stats"]["reviews"]["approved"] == 1 and data["stats"]["reviews"]["verified"] == 1
    assert data["reputation"]["community_score"] == 16 and data["reputation"]["rank"] == 1
    assert auth_client.get("/api/v1/user/feedback/impact").json()["data"]["review_helpful_votes"] == 3
    assert auth_client.get("/api/v1/user/feedback/reputation").json()["data"]["level"] == "newcomer"
    assert auth_client.get("/api/v1/user/feedback/stats").status_code == 200
    leaders = api_client.get("/api/v1/community/leaders").json()["data"]
    assert leaders[0]["user"]["id"] == user.pk and "email" not in leaders[0]
    assert api_client.get("/api/v1/community/leaders", {"limit": 0}).status_code == 400
    assert api_client.get("/api/v1/user/feedback/dashboard").status_code == 401


def test_staff_promote_expert_and_recalculate(staff_client, auth_client, user):
    url = f"/api/v1/staff/users/{user.pk}/promote-expert"
    assert auth_client.post(url, {}, format="json").status_code == 403
    response = staff_client.post(url, {"expertise_areas": ["acne"]}, format="json")
    assert response.status_code == 200 and response.json()["data"]["role"] == "expert"
    assert staff_client.post(url, {}, format="json").status_code == 409
    assert Notification.objects.filter(user=user, type="community").count() == 1
    assert staff_client.post("/api/v1/staff/users/999999/promote-expert", {}, format="json").status_code == 404
    user.community_score = 999
    user.save(update_fields=["community_score"])
    recalculated = staff_client.post(f"/api/v1/staff/users/{user.pk}/community-score")
    assert recalculated.json()["data"]["community_score"] == 0
    history = staff_client.get(f"/api/v1/staff/users/{user.pk}/feedback-history")
    assert history.status_code == 200 and history.json()["meta"]["total"] == 0
    assert staff_client.get("/api/v1/staff/users/community-leaders").status_code == 200
