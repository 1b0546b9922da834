"""The plain-Python scorer: hand-labelled sentences, negation, aspects, themes, safety words."""

import subprocess
import sys
from pathlib import Path

import pytest

from ml.sentiment import ASPECTS, analyze, band, label, review_text, safety_terms, score
from ml.sentiment.evaluation import accuracy, auc, macro_f1, polarity_accuracy, rating_label
from ml.sentiment.trained import MIN_REVIEWS, ReviewTextModel
from reviews.models import SENTIMENT_ASPECTS

HAND_LABELLED = [
    ("This serum is my holy grail.", "positive"),
    ("Love it, my skin is clearer and brighter after two weeks.", "positive"),
    ("It works.", "positive"),
    ("I will repurchase.", "positive"),
    ("No more breakouts!", "positive"),
    ("No irritation and no redness.", "positive"),
    ("The texture is not greasy at all.", "positive"),
    ("Great value and it absorbs quickly.", "positive"),
    ("It did nothing for my breakouts.", "negative"),
    ("It did not work.", "negative"),
    ("Would not buy again.", "negative"),
    ("Not worth the price.", "negative"),
    ("Waste of money.", "negative"),
    ("It stopped working after a month.", "negative"),
    ("It broke me out badly.", "negative"),
    ("Too harsh for me, it burned my cheeks.", "negative"),
    ("It is not good.", "negative"),
    ("I have been using it every morning for about 3 weeks.", "neutral"),
    ("The bottle is blue.", "neutral"),
    ("", "neutral"),
]


@pytest.mark.parametrize(("text", "expected"), HAND_LABELLED)
def test_hand_labelled_sentences(text, expected):
    assert label(score(text)) == expected


def test_scores_stay_in_range_and_empty_text_is_zero():
    assert score("") == score("   ") == 0.0
    texts = [t for t, _ in HAND_LABELLED] + ["AMAZING!!! " * 200, "terrible horrible awful burning rash " * 100]
    assert all(-1.0 <= score(t) <= 1.0 for t in texts)
    assert score("AMAZING!!! " * 200) > 0.9 and score("terrible horrible awful burning rash " * 100) < -0.9


@pytest.mark.parametrize(
    ("positive", "negated"),
    [
        ("It works.", "It doesn't work."),
        ("The cream is greasy.", "The cream is not greasy."),  # a negated complaint reads as praise
        ("It stings.", "It never stings."),
        ("I would buy it again.", "I would not buy it again."),
        ("Worth the money.", "Not worth the money."),
    ],
)
def test_negation_flips_the_sign(positive, negated):
    assert score(positive) * score(negated) < 0


def test_the_verdict_at_the_end_weighs_more():
    # Same two sentences, opposite order: the last one decides.
    assert score("It stung at first. Now my skin is clearer than ever.") > 0
    assert score("My skin was clearer at first. Now it stings.") < 0


def test_labels_and_bands_follow_the_seed():
    assert [label(v) for v in (0.11, 0.1, 0.0, -0.1, -0.11)] == [
        "positive",
        "neutral",
        "neutral",
        "neutral",
        "negative",
    ]
    assert [band(v) for v in (0.5, 0.49, 0.1, -0.49, -0.5)] == [
        "very_positive",
        "positive",
        "neutral",
        "negative",
        "very_negative",
    ]


def test_aspects_are_scored_per_clause():
    result = analyze("The scent is lovely but it broke me out. The pump leaks. Good value for the price.")
    assert set(result.aspects) == {"scent", "side_effects", "packaging", "value"}
    assert result.aspects["scent"] > 0.3
    assert result.aspects["side_effects"] < -0.3
    assert result.aspects["packaging"] < 0
    assert result.aspects["value"] > 0.3


def test_a_complaint_the_product_did_not_fix_is_no_side_effect():
    result = analyze("It did nothing for my breakouts.")
    assert set(result.aspects) == {"effectiveness"}
    assert [t.name for t in result.themes] == ["no_results"]


def test_themes_carry_their_phrase_and_polarity():
    result = analyze("Love the light texture. Sadly it made my cheeks burn and sting. Way too expensive.")
    themes = {t.name: t for t in result.themes}
    assert set(themes) == {"pleasant_texture", "caused_irritation", "too_expensive"}
    assert themes["pleasant_texture"].polarity == "positive"
    assert themes["caused_irritation"].polarity == "negative"
    assert themes["caused_irritation"].phrase == "Sadly it made my cheeks burn and sting."
    assert [t.name for t in result.themes] == ["pleasant_texture", "caused_irritation", "too_expensive"]


def test_topics_stored_on_a_review():
    topics = analyze("The texture is lovely.").topics()
    assert topics == [
        {"kind": "aspect", "name": "texture", "sentiment": score("The texture is lovely.")},
        {
            "kind": "theme",
            "name": "pleasant_texture",
            "polarity": "positive",
            "sentiment": score("The texture is lovely."),
            "phrase": "The texture is lovely.",
        },
    ]


def test_safety_words_unless_negated():
    assert safety_terms("Burning and a rash on day two, my face was swollen.") == ["burning", "rash", "swollen"]
    assert safety_terms("No burning, never any rash, without swelling.") == []
    negative = analyze("Awful. It left a rash and my skin was burning for hours.")
    assert negative.label == "negative" and negative.needs_attention
    praise = analyze("I love it, it soothed the rash I had from shaving.")
    assert praise.safety_terms == ["rash"] and not praise.needs_attention


def test_aspect_lists_agree_with_the_review_model():
    assert ASPECTS == SENTIMENT_ASPECTS


def test_review_text_joins_title_text_and_side_effects():
    assert review_text("Love it", "Great stuff.", "") == "Love it. Great stuff."
    assert review_text("", "Great stuff.", "Burning.") == "Great stuff. Burning."
    assert review_text("Meh", "It stung. Stinging.", "Stinging.") == "Meh. It stung. Stinging."
    assert review_text("", "", "") == ""


def test_importable_without_django():
    code = "import sys, ml.sentiment as s; s.analyze('It works.'); print('django' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_metrics_on_a_hand_made_set():
    labels = ["positive", "positive", "negative", "negative", "neutral"]
    assert auc([0.9, 0.2, 0.1, -0.5, 0.0], labels) == 1.0
    assert auc([0.1, 0.2, 0.1, 0.9, 0.0], labels) == (0.5 + 0 + 1 + 0) / 4  # ties count half
    predicted = ["positive", "negative", "negative", "negative", "positive"]
    assert accuracy(predicted, labels) == 3 / 5
    assert polarity_accuracy(predicted, labels) == 3 / 4
    # F1 positive 2*1/(2+1+1)=0.5, neutral 0, negative 2*2/(4+1+0)=0.8
    assert macro_f1(predicted, labels) == pytest.approx((0.5 + 0 + 0.8) / 3)
    assert [rating_label(r) for r in (5, 4, 3, 2, 1)] == ["positive", "positive", "neutral", "negative", "negative"]


def _rated_corpus():
    good = ["silky lovely glow", "lovely calm glow", "silky glow again", "calm silky skin"]
    bad = ["itchy patches everywhere", "patches and itchy bumps", "bumps everywhere itchy", "itchy bumps again"]
    texts = (good * 8)[: MIN_REVIEWS // 2 + 1] + (bad * 8)[: MIN_REVIEWS // 2 + 1]
    ratings = [5] * (MIN_REVIEWS // 2 + 1) + [1] * (MIN_REVIEWS // 2 + 1)
    return texts, ratings


def test_trained_model_learns_the_shops_words_and_survives_a_round_trip():
    texts, ratings = _rated_corpus()
    model = ReviewTextModel().fit(texts, ratings)
    good, bad = model.predict(["silky glow", "itchy bumps"])
    assert good > 0.5 and bad < -0.5
    assert ReviewTextModel.from_bytes(model.to_bytes()).predict(["silky glow", "itchy bumps"]) == [good, bad]
    # Blended: the mean of the lexicon's and the model's scores.
    assert score("silky glow") == 0.3612
    assert analyze("silky glow", model=model).score == round((0.3612 + good) / 2, 4)


def test_trained_model_needs_enough_reviews():
    with pytest.raises(ValueError, match="At least 50 rated reviews"):
        ReviewTextModel().fit(["fine"] * (MIN_REVIEWS - 1), [4] * (MIN_REVIEWS - 1))
