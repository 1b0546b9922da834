"""Automatic content screen: spam probability, toxicity and medical claims from plain rules.

No external service: the scores are heuristics good enough to sort the queue and to let clean
content through. ``screen_text`` is pure (no database), so it is cheap to test and to reuse.
Thresholds live in settings (see ``thresholds()``); the decision is made in ``services``.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

URL_RE = re.compile(r"(https?://|www\.|\b[a-z0-9-]+\.(?:com|net|org|ru|biz|info|xyz|shop|top)\b)", re.I)
EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
PHONE_RE = re.compile(r"(?:\+?\d[\d\s().-]{8,}\d)")
REPEAT_CHAR_RE = re.compile(r"(.)\1{5,}")
WORD_RE = re.compile(r"[a-zA-Z']+")

SPAM_PHRASES = (
    "buy now", "click here", "discount code", "promo code", "free money", "limited offer", "order now",
    "whatsapp", "telegram", "dm me", "visit my", "check my profile", "earn money", "work from home",
    "cheap price", "best price", "100% free", "use my code", "follow me", "subscribe",
)  # fmt: skip
TOXIC_WORDS = (
    "idiot", "stupid", "moron", "dumb", "loser", "hate you", "shut up", "scam", "scammer", "trash", "garbage",
    "pathetic", "disgusting", "fuck", "fucking", "shit", "bitch", "bastard", "asshole", "crap", "damn you",
    "kill yourself", "retard",
)  # fmt: skip
MEDICAL_CLAIM_PATTERNS = (
    r"\bcures?d?\b",
    r"\bcuring\b",
    r"\bprescriptions?\b",
    r"\bheal(?:s|ed|ing)?\s+(?:my\s+|your\s+|the\s+)?(?:acne|eczema|psoriasis|rosacea|dermatitis|infection|scars?)\b",
    r"\btreat(?:s|ed|ing)?\s+(?:my\s+|your\s+)?(?:eczema|psoriasis|rosacea|dermatitis|infection|melasma|cancer)\b",
    r"\bfda[- ]approved\b",
    r"\bmedically proven\b",
    r"\bguaranteed to (?:remove|cure|heal|eliminate)\b",
    r"\breplaces? (?:my |your )?(?:medication|medicine|antibiotics|accutane|isotretinoin|tretinoin)\b",
    r"\binstead of (?:my |your )?(?:medication|medicine|antibiotics|doctor|dermatologist)\b",
    r"\bdiagnos(?:e|is|ed)\b",
)
MEDICAL_RE = [re.compile(pattern, re.I) for pattern in MEDICAL_CLAIM_PATTERNS]
TOXIC_RE = [re.compile(rf"\b{re.escape(word)}\b", re.I) for word in TOXIC_WORDS]

CENT = Decimal("0.01")


@dataclass
class ScreenResult:
    spam: Decimal = Decimal("0.00")
    toxicity: Decimal = Decimal("0.00")
    medical_claims: bool = False
    details: dict = field(default_factory=dict)

    @property
    def reasons(self):
        limits = thresholds()
        reasons = []
        if self.spam >= limits["spam_flag"]:
            reasons.append("spam")
        if self.toxicity >= limits["toxicity_flag"]:
            reasons.append("toxicity")
        if self.medical_claims and limits["flag_medical_claims"]:
            reasons.append("medical_claims")
        return reasons


def _setting(name, default):
    return getattr(settings, name, default)


def thresholds():
    """Configured limits; every one can be set from the environment (see docs/community.md)."""
    return {
        "auto_approve": bool(_setting("MODERATION_AUTO_APPROVE", True)),
        "auto_approve_max_score": Decimal(str(_setting("MODERATION_AUTO_APPROVE_MAX_SCORE", "0.30"))),
        "spam_flag": Decimal(str(_setting("MODERATION_SPAM_THRESHOLD", "0.70"))),
        "toxicity_flag": Decimal(str(_setting("MODERATION_TOXICITY_THRESHOLD", "0.50"))),
        "flag_medical_claims": bool(_setting("MODERATION_FLAG_MEDICAL_CLAIMS", True)),
        "auto_approve_photos": bool(_setting("MODERATION_AUTO_APPROVE_PHOTOS", False)),
        "reports_to_escalate": int(_setting("MODERATION_REPORTS_TO_ESCALATE", 3)),
    }


def _clamp(value):
    return Decimal(str(min(max(value, 0.0), 1.0))).quantize(CENT)


def screen_text(text) -> ScreenResult:
    text = str(text or "")
    lowered = text.lower()
    words = WORD_RE.findall(text)
    details = {}

    spam = 0.0
    links = URL_RE.findall(text)
    if links:
        spam += 0.45 + 0.15 * min(len(links) - 1, 3)
        details["links"] = len(links)
    if EMAIL_RE.search(text):
        spam += 0.3
        details["email"] = True
    if PHONE_RE.search(text):
        spam += 0.3
        details["phone"] = True
    phrases = [phrase for phrase in SPAM_PHRASES if phrase in lowered]
    if phrases:
        spam += 0.3 * len(phrases)
        details["spam_phrases"] = phrases
    if REPEAT_CHAR_RE.search(text):
        spam += 0.15
        details["repeated_characters"] = True
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) >= 20 and sum(ch.isupper() for ch in letters) / len(letters) > 0.7:
        spam += 0.2
        details["shouting"] = True
    if len(words) >= 8:
        distinct = len({word.lower() for word in words}) / len(words)
        if distinct < 0.35:
            spam += 0.3
            details["repetitive"] = round(distinct, 2)

    toxic_hits = [pattern.pattern.strip("\\b").replace("\\ ", " ") for pattern in TOXIC_RE if pattern.search(text)]
    toxicity = 0.0
    if toxic_hits:
        toxicity = 0.35 + 0.2 * (len(toxic_hits) - 1)
        details["toxic_terms"] = toxic_hits

    medical = [pattern.pattern for pattern in MEDICAL_RE if pattern.search(text)]
    if medical:
        details["medical_claims"] = [match.group(0) for pattern in MEDICAL_RE if (match := pattern.search(text))]

    return ScreenResult(spam=_clamp(spam), toxicity=_clamp(toxicity), medical_claims=bool(medical), details=details)
