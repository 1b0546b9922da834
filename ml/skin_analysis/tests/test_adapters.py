"""The external analysis API and the LLM feedback adapter against a real local HTTP server (only the
transport is faked: the server answers what a provider would)."""

import json

import pytest

from feedback.screening import screen_text
from ml.skin_analysis import advice
from ml.skin_analysis.models import METRICS, SkinAnalysis
from ml.skin_analysis.tests.conftest import chat, photo

pytestmark = pytest.mark.django_db

URL = "/api/v1/skin-analysis"
EXTERNAL_METRICS = {name: 50 + index for index, name in enumerate(METRICS)}


@pytest.fixture
def external(settings, fake_server):
    settings.SKIN_ANALYSIS_API_URL = fake_server["url"] + "/v1/analyze"
    settings.SKIN_ANALYSIS_API_KEY = "test-key"
    settings.SKIN_ANALYSIS_API_TIMEOUT = 0.5
    return fake_server


def test_the_external_service_scores_when_its_key_is_set(auth_client, external):
    external["answer"] = (200, {"metrics": EXTERNAL_METRICS, "skin_type": "dry", "skin_type_confidence": 0.8}, 0)

    data = auth_client.post(URL, {"photo": photo()}, format="multipart").json()["data"]

    assert data["analyzer"] == "external"
    assert data["metrics"] == EXTERNAL_METRICS
    assert data["overall_score"] == round(sum(EXTERNAL_METRICS.values()) / 10)
    assert (data["skin_type"], data["skin_type_confidence"]) == ("dry", 0.8)
    assert [c["metric"] for c in data["concerns"]] == list(METRICS)  # all under 70, lowest first
    [request] = external["requests"]
    assert request["path"] == "/v1/analyze"
    assert request["auth"] == "Bearer test-key"
    assert request["body"]["image_type"] == "image/jpeg"


@pytest.mark.parametrize(
    "answer",
    [
        (500, {"error": "down"}, 0),
        (200, b"<html>not json</html>", 0),
        (200, {"metrics": EXTERNAL_METRICS | {"redness": 140}}, 0),
        (200, {"metrics": {"hydration": 50}}, 0),
        (200, {"metrics": EXTERNAL_METRICS}, 1.5),  # slower than the timeout
    ],
    ids=["http-error", "not-json", "out-of-range", "incomplete", "timeout"],
)
def test_the_built_in_analyzer_takes_over_when_the_service_fails(auth_client, external, answer):
    external["answer"] = answer

    data = auth_client.post(URL, {"photo": photo()}, format="multipart").json()["data"]

    assert data["status"] == "done"
    assert data["analyzer"] == "builtin-v1"
    assert data["metrics"] != EXTERNAL_METRICS
    assert len(external["requests"]) == 1


def test_a_failed_quality_check_never_calls_the_service(auth_client, external):
    from ml.skin_analysis.synthetic import Face

    data = auth_client.post(URL, {"photo": photo(Face(size=400, blur=3))}, format="multipart").json()["data"]

    assert data["failure_code"] == "blurred"
    assert external["requests"] == []


FACTS = advice.Facts(
    metrics=dict.fromkeys(METRICS, 80) | {"redness": 45},
    overall=77,
    concerns=[{"concern": "redness", "metric": "redness", "severity": "moderate", "areas": ["left_cheek", "nose"]}],
    recommended_ingredients=["centella asiatica", "niacinamide"],
    products_in_use=("Calm serum",),
)


def test_the_llm_writes_the_feedback_when_configured(llm):
    llm["answer"] = (200, chat("Your skin looks balanced; the cheeks show some redness. Keep it gentle."), 0)

    text, source = advice.feedback_write(FACTS)

    assert (text, source) == ("Your skin looks balanced; the cheeks show some redness. Keep it gentle.", "llm")
    [request] = llm["requests"]
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer llm-key"
    assert request["body"]["model"] == "small-model"
    assert json.loads(request["body"]["messages"][1]["content"])["overall"] == 77


@pytest.mark.parametrize(
    "answer",
    [
        (200, chat("This serum cures your rosacea within a week."), 0),  # a medical claim: screened out
        (503, {"error": "busy"}, 0),
        (200, {"unexpected": True}, 0),
        (200, chat("ok"), 1.5),
    ],
    ids=["medical-claim", "http-error", "bad-shape", "timeout"],
)
def test_the_templates_take_over_when_the_llm_fails_or_makes_claims(llm, answer):
    llm["answer"] = answer

    text, source = advice.feedback_write(FACTS)

    assert source == "template"
    assert text.startswith("Your overall skin score is 77 of 100.")


def test_the_template_feedback_is_specific_and_passes_the_moderation_screen():
    text, source = advice.feedback_write(FACTS)

    assert source == "template"
    assert "Redness reads moderate (45). Most visible on the left cheek and nose." in text
    assert "Ingredients often chosen for this: centella asiatica, niacinamide." in text
    assert "You are tracking Calm serum in your journal" in text
    screen = screen_text(text)
    assert (screen.medical_claims, screen.reasons) == (False, [])


def test_the_template_feedback_follows_the_persons_language():
    text, _source = advice.feedback_write(FACTS, language="km")

    assert not text.startswith("Your overall skin score")


def test_feedback_is_stored_in_the_users_language(auth_client, user):
    user.language = "km"
    user.save(update_fields=["language"])

    auth_client.post(URL, {"photo": photo()}, format="multipart")

    assert not SkinAnalysis.objects.get(user=user).feedback.startswith("Your overall skin score")
