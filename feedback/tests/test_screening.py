from decimal import Decimal

import pytest

from feedback.screening import screen_text


def test_clean_text_scores_zero():
    result = screen_text("Gentle serum, my combination skin feels hydrated and calm after two weeks.")
    assert result.spam == 0 and result.toxicity == 0 and not result.medical_claims
    assert result.reasons == []


@pytest.mark.parametrize(
    "text",
    [
        "This cures acne in a week!",
        "Better than my prescription cream",
        "It healed my eczema completely",
        "FDA approved and guaranteed to remove scars",
    ],
)
def test_medical_claims_are_flagged(text):
    result = screen_text(text)
    assert result.medical_claims
    assert "medical_claims" in result.reasons


def test_spam_links_and_phrases():
    result = screen_text("BUY NOW at www.cheap-serums.xyz use my code GLOW, whatsapp +855 12 345 678")
    assert result.spam >= Decimal("0.70")
    assert "spam" in result.reasons
    assert result.details["links"] >= 1


def test_toxicity_grades():
    assert screen_text("The seller is a scam").toxicity < Decimal("0.50")
    result = screen_text("What a stupid idiot product, total garbage")
    assert result.toxicity >= Decimal("0.50")
    assert "toxicity" in result.reasons


def test_thresholds_come_from_settings(settings):
    settings.MODERATION_TOXICITY_THRESHOLD = "0.30"
    assert "toxicity" in screen_text("The seller is a scam").reasons
    settings.MODERATION_FLAG_MEDICAL_CLAIMS = False
    assert screen_text("This cures acne").reasons == []
