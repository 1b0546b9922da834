"""The built-in analyzer on generated faces with known planted properties."""

import pytest

from ml.skin_analysis import analyzer
from ml.skin_analysis.synthetic import Face, face_jpeg
from ml.skin_analysis.tests.conftest import plain_jpeg


def scores(**kwargs):
    return analyzer.analyze(face_jpeg(Face(**kwargs))).metrics


@pytest.fixture(scope="module")
def clean():
    return analyzer.analyze(face_jpeg(Face()))


def test_a_clean_face_scores_high_on_every_metric(clean):
    assert set(clean.metrics) == set(analyzer.METRICS)
    assert min(clean.metrics.values()) >= 90
    assert clean.concerns == ()
    assert clean.acne_severity == "none"
    assert clean.skin_type == "normal"


def test_the_same_photo_gives_the_same_result(clean):
    assert analyzer.analyze(face_jpeg(Face())) == clean


@pytest.mark.parametrize(
    ("metric", "planted"),
    [
        ("redness", [{"redness": 0.5}, {"redness": 1.0}]),
        ("blemishes", [{"blemishes": 10}, {"blemishes": 30}]),
        ("pigmentation", [{"spots": 10}, {"spots": 30}]),
        ("oil_balance", [{"shine": 0.3}, {"shine": 1.0}]),
        ("fine_lines", [{"lines": 6}, {"lines": 15}]),
        ("hydration", [{"dryness": 0.5}, {"dryness": 1.0}]),
    ],
)
def test_more_of_a_property_scores_lower_on_its_metric(clean, metric, planted):
    some, more = (scores(**kwargs)[metric] for kwargs in planted)

    assert clean.metrics[metric] > some > more


@pytest.mark.parametrize("brightness", [0.85, 1.15])
def test_a_moderate_lighting_change_leaves_the_scores_where_they_were(clean, brightness):
    lit = scores(brightness=brightness)

    assert {m: abs(lit[m] - clean.metrics[m]) <= 3 for m in analyzer.METRICS} == dict.fromkeys(analyzer.METRICS, True)


@pytest.mark.parametrize("redness", [0.5, 1.0])
@pytest.mark.parametrize("brightness", [0.85, 1.15])
def test_redness_stays_within_3_points_when_the_exposure_moves_15_percent(redness, brightness):
    """Red patches brighter by 15 % once left the skin colour box: the score moved up to 54 points."""
    for seed in (7, 18):
        normal = scores(seed=seed, size=480, redness=redness)["redness"]
        lit = scores(seed=seed, size=480, redness=redness, brightness=brightness)["redness"]

        assert normal < 70  # the planted redness is seen at all
        assert abs(lit - normal) <= 3, (seed, normal, lit)


def test_planted_blemishes_are_counted_as_acne_with_areas():
    result = analyzer.analyze(face_jpeg(Face(blemishes=30)))

    assert result.acne_severity == "severe"
    acne = next(c for c in result.concerns if c.concern == "acne")
    assert acne.metric == "blemishes"
    assert acne.severity == "severe"
    assert acne.areas  # seen somewhere on the face
    assert set(acne.areas) <= set(analyzer.AREAS)


def test_shine_reads_as_oily_skin():
    result = analyzer.analyze(face_jpeg(Face(shine=1.0)))

    assert result.skin_type == "oily"
    assert 0.5 <= result.skin_type_confidence <= 0.9


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (face_jpeg(Face(brightness=0.25)), "too_dark"),
        (face_jpeg(Face(blur=3)), "blurred"),
        (plain_jpeg(), "no_face"),
        (b"not an image at all", "unreadable"),
    ],
)
def test_unusable_photos_fail_with_a_reason(content, code):
    with pytest.raises(analyzer.AnalysisFailed) as failure:
        analyzer.analyze(content)

    assert failure.value.code == code
    assert failure.value.reason


def test_concerns_and_severity_follow_the_scores():
    metrics = dict.fromkeys(analyzer.METRICS, 90) | {"redness": 45, "pores": 65, "blemishes": 20}

    concerns = analyzer.concerns_for(metrics)

    assert [(c.concern, c.severity) for c in concerns] == [
        ("acne", "severe"),
        ("redness", "moderate"),
        ("pores", "mild"),
    ]
