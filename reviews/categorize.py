"""Automatic question category and urgency from the question text (keyword rules)."""

import re

CATEGORY_KEYWORDS = {
    "side_effects": (
        "side effect", "irritat", "burn", "sting", "rash", "breakout", "break out", "broke out", "purg", "redness",
        "itch", "allerg", "peeling", "flaking", "reaction", "tingl", "swell", "hives",
    ),
    "compatibility": (
        "use with", "use this with", "use it with",
        "together with", "combine", "mix with", "pair with", "layer with", "alongside", "compatible",
        "at the same time", "pregnan", "breastfeed", "safe for", "suitable for", "good for", "work for",
        "my skin type", "sensitive skin", "oily skin", "dry skin", "acne-prone", "combination skin",
    ),
    "ingredients": (
        "ingredient", "contain", "fragrance", "paraben", "alcohol", "niacinamide", "retinol", "vitamin c",
        " acid", "sulfate", "silicone", "vegan", "cruelty", "inci", "concentration", "percent", "%", "formula",
        "essential oil", "spf",
    ),
    "usage": (
        "how to use", "how do i use", "how often", "apply", "application", "morning", "night", "routine",
        "before or after", "how much", "times a week", "every day", "daily", "step", "layer", "wash off",
        "leave on", "rinse",
    ),
    "results": (
        "result", "how long", "does it work", "did it work", "see a difference", "effective", "improve", "fade",
        "clear up", "notice", "weeks", "before and after", "worth it", "help with",
    ),
}  # fmt: skip
TIE_ORDER = ["side_effects", "compatibility", "ingredients", "usage", "results"]
URGENT = re.compile(
    r"\b(burn(?:ing|ed|s)?|swell(?:ing|ed)?|swollen|allergic|rash|bleed(?:ing)?|blister\w*|hives|pain(?:ful)?|"
    r"pregnan\w*|breastfeed\w*)\b",
    re.I,
)


def categorize(text) -> str:
    lowered = f" {str(text or '').lower()} "
    scores = {category: sum(lowered.count(word) for word in words) for category, words in CATEGORY_KEYWORDS.items()}
    best = max(scores.values())
    if best == 0:
        return "general"
    return next(category for category in TIE_ORDER if scores[category] == best)


def urgency(text) -> str:
    text = str(text or "")
    if URGENT.search(text):
        return "high"
    return "low" if len(text) < 25 else "normal"
