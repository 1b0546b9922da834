"""Text → sentiment score in [-1, 1], label, aspect scores, themes and safety words.

Plain Python (VADER + this package's vocabulary), no Django: importable by a benchmark or a notebook.
The score is VADER's compound score after the skincare vocabulary and the phrase markers are added.
Aspects and themes are scored per clause (sentences, split again at "but"/"however"), so "the scent is
lovely but it broke me out" gives scent a positive and side effects a negative score.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer, normalize

from ml.sentiment.lexicon import CONDITION_SCALE, CONDITION_WORDS, PHRASE_LEXICON, PHRASES, SKINCARE_LEXICON

MODEL_VERSION = "vader-skincare-1"
MAX_CHARS = 10_000
TAIL_WEIGHT = 1.2

# Seed 001 bands: label from the three middle bands, distribution over all five.
NEUTRAL_BAND = 0.1
STRONG_BAND = 0.5
LABELS = ("positive", "neutral", "negative")
BANDS = ("very_positive", "positive", "neutral", "negative", "very_negative")
ASPECTS = ("effectiveness", "texture", "scent", "packaging", "value", "results", "side_effects")

_ASPECT_WORDS = {
    "effectiveness": r"work(?:s|ed|ing)?|effective|effect|helped|helps|did nothing|does nothing|difference|"
    r"job|stopped working|useless|cleared|cured",
    "texture": r"texture|greasy|sticky|absorbs?|absorbed|sinks? in|lightweight|light|thick|thin|rich|watery|"
    r"residue|finish|consistency|creamy|tacky|runny|layers",
    "scent": r"scent|smells?|smelled|fragrance|fragranced|perfume|odou?r|stench",
    "packaging": r"packaging|package|bottle|pump|jar|tube|dropper|lid|container|cap|leak(?:s|ed|ing)?|hygienic|"
    r"nozzle",
    "value": r"price|priced|value|expensive|cheap|money|worth|cost|costs|afford(?:able)?|overpriced|pricey|"
    r"bargain|goes a long way",
    "results": r"results?|brighter|clearer|smoother|softer|firmer|glow(?:ing)?|fading|faded|lighter|"
    r"improve(?:d|ment)?|cleared up|less visible|calmer|matte|plump(?:er)?|even(?:er)? tone|looks? better",
    "side_effects": r"side[\s-]+effects?|irritat(?:ion|ed|ing)|burn(?:ing|ed|s)?|rash(?:es)?|sting(?:ing|s)?|"
    r"stung|breakouts?|broke (?:me )?out|redness|itch(?:ing|y)?|swell(?:ing|ed)|swollen|peel(?:ing)?|"
    r"tingl(?:ing|e)|reaction|allergic|hives|blisters?|purging|dryness|flak(?:y|ing)",
}
ASPECT_PATTERNS = {name: re.compile(rf"\b(?:{words})\b", re.IGNORECASE) for name, words in _ASPECT_WORDS.items()}

# Themes (seed 001 names where it gives them); a theme counts only when its clause leans its way.
_THEMES = {
    "positive": {
        "fast_results": r"(?:within|after) (?:a|one|two|\d+) (?:days?|weeks?)|overnight|right away|"
        r"(?:in|after) a day or two|immediately",
        "visible_results": r"brighter|clearer|smoother|firmer|fading|faded|lighter|less visible|glow|"
        r"fewer breakouts|calmer|less red|improve|no more",
        "gentle_formula": r"gentle|does not strip|doesn'?t strip|no (?:irritation|stinging|burning|side effects)|"
        r"calm(?:ing|er)?|"
        r"sooth(?:ing|es)",
        "pleasant_texture": r"texture|absorbs|sinks in|lightweight|not (?:sticky|greasy)|layers well|light finish",
        "pleasant_scent": r"scent|smell|fragrance",
        "good_packaging": r"packaging|pump|bottle|hygienic|dropper",
        "good_value": r"value|worth|price|affordable|cheap|goes a long way|bargain",
        "hydrating": r"hydrat|moistur|comfortable|no more tight|not dry",
        "would_repurchase": r"repurchas|buy it again|buy again|second bottle|recommend",
    },
    "negative": {
        "caused_irritation": r"irritat|burn|sting|rash|red(?:ness)?\b|itch|swell|swollen|hives|reaction|allergic|"
        r"tingl|peel",
        "caused_breakouts": r"breakouts?|broke (?:me )?out|pimples?|clogged|purging",
        "no_results": r"did nothing|does nothing|no (?:difference|change|results?|improvement)|"
        r"didn'?t (?:see|notice|do)|don'?t see|not see|stopped working|useless",
        "slow_results": r"slow|takes? (?:a long )?time|too early|give it time|not yet|weeks? (?:and|but) (?:still|no)",
        "too_expensive": r"expensive|overpriced|pricey|price|not worth|cost|waste of money",
        "greasy_texture": r"greasy|sticky|oily|heavy|residue|tacky|white cast",
        "strong_scent": r"scent|smell|fragrance|perfume|stench",
        "poor_packaging": r"packaging|leak|broken|pump|bottle|lid|messy",
        "drying": r"dry(?:ing|ness)?|tight|flaky|strip",
        "would_not_repurchase": r"not buy again|won'?t buy|would not buy|never buy|stopped using|not repurchase",
    },
}
THEME_PATTERNS = {
    polarity: {name: re.compile(rf"(?:{words})", re.IGNORECASE) for name, words in themes.items()}
    for polarity, themes in _THEMES.items()
}

# Words that, in a negative review, mean a person may have been hurt: staff look at these first.
SAFETY_PATTERN = re.compile(
    r"\b(?:burn(?:ing|ed|s|t)?|rash(?:es)?|swell(?:ing|ed)|swollen|hives|blisters?|blistering|bleeding|"
    r"allergic|allergy|anaphyla\w*|infection|infected|chemical burn|scarr(?:ed|ing)|welts?|oozing|"
    r"emergency|hospital|doctor|dermatologist)\b",
    re.IGNORECASE,
)
_NOT_BEFORE_SAFETY = re.compile(r"\b(?:no|not|never|without|zero|any)\s+(?:\w+\s+)?$", re.IGNORECASE)

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")
_CAUSED = ("caused_irritation", "caused_breakouts")

_CLAUSE_SPLIT = re.compile(r"(?<=[.!?;])\s+|\n+|\s+(?=\bbut\b)|\s+(?=\bhowever\b)|\s+(?=\balthough\b)", re.IGNORECASE)


class _SummingAnalyzer(SentimentIntensityAnalyzer):
    """VADER that also answers the valence sum it squashes into the compound score."""

    def score_valence(self, sentiments, text):
        scores = super().score_valence(sentiments, text)
        total = float(sum(sentiments)) if sentiments else 0.0
        emphasis = self._punctuation_emphasis(text) if total else 0.0
        scores["sum"] = total + emphasis if total > 0 else total - emphasis
        return scores


@lru_cache(maxsize=1)
def _analyzer():
    analyzer = _SummingAnalyzer()
    analyzer.lexicon.update(SKINCARE_LEXICON)
    analyzer.lexicon.update(PHRASE_LEXICON)
    for word in CONDITION_WORDS:
        if word in analyzer.lexicon:
            analyzer.lexicon[word] *= CONDITION_SCALE
    return analyzer


@lru_cache(maxsize=1)
def _plain():
    return SentimentIntensityAnalyzer()


def _prepare(text):
    text = (text or "")[:MAX_CHARS]
    for pattern, marker, _ in PHRASES:
        text = pattern.sub(f" {marker} ", text)
    return text


def _valence_sum(text):
    return _analyzer().polarity_scores(_prepare(text))["sum"]


def score(text: str) -> float:
    """Sentiment of a text in [-1, 1] (0.0 for empty text), four decimals.

    VADER sums word valences and squashes the sum into -1..1. Here each sentence's sum is weighted by
    ``TAIL_WEIGHT`` to the power of its position (weights averaging 1) before the same squashing,
    because a review's verdict usually comes last ("...but after two weeks it cleared up").
    """
    if not text or not text.strip():
        return 0.0
    sentences = [part for part in _SENTENCE_SPLIT.split(text[:MAX_CHARS]) if part.strip()]
    weights = [TAIL_WEIGHT**i for i in range(len(sentences))]
    mean_weight = sum(weights) / len(weights)
    total = sum(w * _valence_sum(s) for w, s in zip(weights, sentences, strict=True)) / mean_weight
    return round(normalize(total), 4)


def vader_score(text: str) -> float:
    """Plain VADER compound score, the baseline the benchmark compares against."""
    if not text or not text.strip():
        return 0.0
    return round(_plain().polarity_scores(text[:MAX_CHARS])["compound"], 4)


def label(value: float) -> str:
    """positive / neutral / negative: the seed's neutral band is -0.1..0.1."""
    if value > NEUTRAL_BAND:
        return "positive"
    if value < -NEUTRAL_BAND:
        return "negative"
    return "neutral"


def band(value: float) -> str:
    """One of the seed's five distribution bands."""
    if value >= STRONG_BAND:
        return "very_positive"
    if value > NEUTRAL_BAND:
        return "positive"
    if value <= -STRONG_BAND:
        return "very_negative"
    if value < -NEUTRAL_BAND:
        return "negative"
    return "neutral"


def clauses(text: str) -> list[str]:
    return [part.strip() for part in _CLAUSE_SPLIT.split((text or "")[:MAX_CHARS]) if part and part.strip()]


@dataclass
class Theme:
    name: str
    polarity: str
    sentiment: float
    phrase: str


@dataclass
class Analysis:
    score: float
    label: str
    band: str
    aspects: dict = field(default_factory=dict)  # aspect -> mean clause score, only aspects mentioned
    themes: list = field(default_factory=list)  # [Theme]
    safety_terms: list = field(default_factory=list)  # safety words found (not negated), lower case, sorted

    @property
    def needs_attention(self) -> bool:
        """A negative text naming a possible injury."""
        return self.label == "negative" and bool(self.safety_terms)

    def topics(self) -> list[dict]:
        """The ``extracted_topics`` stored on a review: aspects with their scores, then themes with a phrase."""
        return [{"kind": "aspect", "name": name, "sentiment": value} for name, value in self.aspects.items()] + [
            {"kind": "theme", "name": t.name, "polarity": t.polarity, "sentiment": t.sentiment, "phrase": t.phrase}
            for t in self.themes
        ]

    def as_dict(self) -> dict:
        return {
            "score": self.score,
            "label": self.label,
            "band": self.band,
            "aspects": dict(self.aspects),
            "themes": [
                {"name": t.name, "polarity": t.polarity, "sentiment": t.sentiment, "phrase": t.phrase}
                for t in self.themes
            ],
            "safety_terms": list(self.safety_terms),
            "needs_attention": self.needs_attention,
            "model_version": MODEL_VERSION,
        }


def safety_terms(text: str) -> list[str]:
    """Safety words in the text, except negated ones ("no burning", "without any rash")."""
    found = set()
    for match in SAFETY_PATTERN.finditer((text or "")[:MAX_CHARS]):
        before = text[max(0, match.start() - 30) : match.start()]
        if not _NOT_BEFORE_SAFETY.search(before):
            found.add(match.group(0).lower())
    return sorted(found)


def _phrase(clause, limit=120):
    clause = " ".join(clause.split())
    return clause if len(clause) <= limit else clause[: limit - 1].rsplit(" ", 1)[0] + "…"


def blend(lexicon_score: float, learnt_score: float) -> float:
    """The shipped score when a model learnt from the shop's reviews exists: the mean of both."""
    return round((lexicon_score + learnt_score) / 2, 4)


def combined_score(text: str, model=None) -> float:
    """Lexicon score blended with ``model.predict([text])`` (``trained.ReviewTextModel``) when given."""
    lexicon = score(text)
    if model is None or not text or not text.strip():
        return lexicon
    return blend(lexicon, model.predict([text[:MAX_CHARS]])[0])


def analyze(text: str, *, model=None) -> Analysis:
    """Overall score and label (blended with ``model`` when given), per-aspect scores (lexicon, per clause),
    themes (one per name, its strongest clause), safety words."""
    overall = combined_score(text, model)
    aspect_scores = {}
    best_theme = {}
    for clause in clauses(text):
        value = score(clause)
        # "did nothing for my breakouts": the breakouts are the complaint, not something it caused.
        no_results = THEME_PATTERNS["negative"]["no_results"].search(clause) is not None
        for name in ASPECTS:
            if ASPECT_PATTERNS[name].search(clause) and not (no_results and name == "side_effects"):
                aspect_scores.setdefault(name, []).append(value)
        polarity = "positive" if value > NEUTRAL_BAND else ("negative" if value < -NEUTRAL_BAND else None)
        if polarity is None:
            continue
        no_results = no_results and polarity == "negative"
        for name, pattern in THEME_PATTERNS[polarity].items():
            if no_results and name in _CAUSED:  # "did nothing for my breakouts" blames no breakout on it
                continue
            if pattern.search(clause):
                current = best_theme.get(name)
                if current is None or abs(value) > abs(current.sentiment):
                    best_theme[name] = Theme(name, polarity, value, _phrase(clause))
    aspects = {name: round(sum(v) / len(v), 4) for name in ASPECTS if (v := aspect_scores.get(name))}
    themes = sorted(best_theme.values(), key=lambda t: (t.polarity != "positive", t.name))
    return Analysis(
        score=overall,
        label=label(overall),
        band=band(overall),
        aspects=aspects,
        themes=themes,
        safety_terms=safety_terms(text),
    )


def review_text(title: str, body: str, side_effects: str = "") -> str:
    """What is scored for a review: title, text and the side-effects field unless the text already says it."""
    parts = [part.strip() for part in (title, body) if part and part.strip()]
    if side_effects and side_effects.strip() and side_effects.strip() not in (body or ""):
        parts.append(side_effects.strip())
    return (
        ". ".join(part.rstrip(".") for part in parts[:-1])
        + (". " if len(parts) > 1 else "")
        + (parts[-1] if parts else "")
    )
