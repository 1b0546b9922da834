"""Skincare and treatment vocabulary added to VADER's general lexicon (valence on VADER's -4..4 scale).

VADER was built on social-media text: it does not know that "worked", "cleared" or "hydrated" praise a
product, that "breakouts", "burning" or "greasy" blame it, nor that "did nothing" or "stopped working"
are verdicts. Multi-word verdicts become single marker tokens (``PHRASES``, negatives first so "not
worth the money" never reads as "worth the money") that VADER's own negation and "but" rules then see
like any other word. Tuned on the shop's tuning split and the public corpus' development split only.
"""

import re

SKINCARE_LEXICON = {
    # it works / it helped
    "work": 1.2, "works": 1.5, "worked": 1.5, "working": 1.2, "effective": 2.1, "helped": 1.6, "helps": 1.5,
    "cleared": 1.6, "clearer": 1.6, "smoother": 1.5, "softer": 1.2, "brighter": 1.5, "glow": 1.5,
    "glowing": 1.8, "radiant": 1.8, "hydrated": 1.5, "hydrating": 1.3, "moisturized": 1.2, "moisturised": 1.2,
    "plump": 1.0, "plumper": 1.0, "firmer": 1.2, "calmer": 1.3, "matte": 0.8, "lightweight": 1.0,
    "absorbs": 0.8, "fading": 0.8, "faded": 1.0, "lighter": 0.6, "difference": 1.2, "results": 0.8,
    "repurchase": 2.0, "repurchasing": 2.0, "repurchased": 2.0, "lifesaver": 2.5, "recommended": 1.5,
    "gone": 0.8, "disappeared": 1.0, "vanished": 1.0, "subsided": 1.0, "cured": 1.8, "saved": 1.5,
    "comfortable": 1.4, "refreshing": 1.5, "pleasant": 1.8, "nicer": 1.6, "lovely": 2.8,
    # it hurt / it failed
    "breakout": -1.4, "breakouts": -1.2, "pimples": -1.0, "pimple": -1.0, "cystic": -1.2, "clogged": -1.5,
    "burning": -2.0, "burned": -2.0, "burns": -1.8, "burn": -1.8, "swelling": -2.0, "swollen": -2.0,
    "itching": -1.8, "itchy": -1.8, "stinging": -1.8, "stung": -1.8, "stings": -1.8, "tingling": -0.8,
    "redness": -1.2, "peeling": -1.2, "flaky": -1.2, "flaking": -1.2, "dryness": -1.0, "hives": -2.2,
    "blisters": -2.2, "reaction": -1.5, "allergic": -1.8, "greasy": -1.5, "sticky": -1.3, "oily": -0.6,
    "strip": -1.2, "stripped": -1.3, "strips": -1.2, "harsh": -2.0, "nausea": -2.0, "nauseous": -2.0,
    "dizzy": -1.5, "dizziness": -1.5, "headache": -1.5, "headaches": -1.5, "cramps": -1.5, "cramping": -1.5,
    "bleeding": -1.2, "insomnia": -1.5, "tired": -1.0, "fatigue": -1.5, "overpriced": -2.0, "pricey": -1.0,
    "expensive": -0.8, "leaked": -1.5, "leaks": -1.5, "leaking": -1.5, "broken": -1.5, "smells": -0.8,
    "stench": -2.2, "worse": -2.3, "worsened": -2.3,
}  # fmt: skip

# Words naming the complaint a product is bought for ("my depression", "the pain", "panic attacks"):
# in a review they set the scene more often than they judge the product, so they weigh half.
CONDITION_WORDS = (
    "depression", "depressed", "anxiety", "anxious", "pain", "panic", "stress", "sad", "worried", "fear",
    "suicidal", "disorder", "illness", "sick", "crying", "cry", "hurt", "hurting", "attack", "attacks",
    "severe", "hell",
)  # fmt: skip
CONDITION_SCALE = 0.5

# (pattern, marker, valence). Markers are plain lower-case words so VADER tokenises and looks them up.
_PHRASES = [
    (r"\b(?:would|will)\s+(?:not|never)\s+(?:buy|use|purchase|recommend)\s+(?:it\s+|this\s+)?again\b", -2.5),
    (
        r"\b(?:won'?t|wouldn'?t|not|never)\s+(?:buy|use|purchase|be\s+buying|be\s+using)\s+(?:it\s+|this\s+)?again\b",
        -2.5,
    ),
    (r"\bwaste\s+of\s+(?:money|time)\b", -2.8),
    (r"\bnot\s+worth\s+(?:the\s+|it\b)", -2.2),
    (r"\b(?:did|does|do)\s+(?:absolutely\s+)?nothing\b", -2.0),
    (r"\b(?:didn'?t|did\s+not|doesn'?t|does\s+not)\s+(?:do\s+)?(?:anything|a\s+thing)\b", -2.0),
    (r"\b(?:stopped|quit)\s+working\b", -2.0),
    (r"\bstopped\s+using\b", -1.2),
    (r"\bno\s+(?:visible\s+)?(?:difference|change|results?|improvement|effect)\b", -1.6),
    (r"\bbroke\s+(?:me\s+)?out\b", -1.8),
    (r"\bweight\s+gain\b|\bgained\s+\d+\s*(?:lbs?|pounds|kg)\b", -1.5),
    (r"\bmood\s+swings\b", -1.5),
    (r"\bside[\s-]+effects?\b", -1.3),
    (r"\bwhite\s+cast\b", -1.2),
    (
        r"\bno\s+more\s+(?:breakouts?|pimples?|acne|redness|irritation|dryness|flak(?:es|ing)|itching|stinging|"
        r"dark\s+spots|shine|tightness)\b",
        2.0,
    ),
    (r"\bholy\s+grail\b", 3.0),
    (r"\b(?:will|would|definitely|already)\s+(?:buy|repurchase|purchase|use)\s+(?:it\s+|this\s+)?again\b", 2.2),
    (r"\bbuy(?:ing)?\s+(?:it\s+)?again\b", 1.8),
    (r"\bsecond\s+bottle\b", 1.8),
    (r"\bwent\s+away\b|\bcleared\s+up\b|\bunder\s+control\b", 1.5),
    (r"\bgood\s+value\b|\bworth\s+(?:every|the)\s+(?:penny|money|price)\b", 2.0),
    (r"\bgoes\s+a\s+long\s+way\b", 1.5),
]

PHRASES = [
    (re.compile(pattern, re.IGNORECASE), f"skinphrase{i}", valence) for i, (pattern, valence) in enumerate(_PHRASES)
]
PHRASE_LEXICON = {marker: valence for _, marker, valence in PHRASES}
