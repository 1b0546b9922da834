"""Personal feedback for an analysis: readable text from its scores, the history, the concerns and
the products the person is tracking.

The default writer fills templates (in the person's language). With ``SKIN_FEEDBACK_LLM_API_KEY``
set, an OpenAI-compatible chat API writes it from the same facts; its text goes through the
moderation screen (``feedback.screening``) and any medical claim, flag or error falls back to
the templates. Either way the text never claims more than a photo can show.
"""

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from feedback.screening import screen_text

logger = logging.getLogger(__name__)

TEMPLATE, LLM = "template", "llm"
MAX_LLM_CHARS = 2000


def metric_labels():
    return {
        "hydration": _("Hydration"),
        "oil_balance": _("Oil balance"),
        "redness": _("Redness"),
        "blemishes": _("Blemishes"),
        "pores": _("Pores"),
        "fine_lines": _("Fine lines"),
        "pigmentation": _("Dark spots"),
        "texture": _("Texture"),
        "eye_area": _("Eye area"),
        "radiance": _("Radiance"),
    }


def area_labels():
    return {
        "forehead": _("forehead"),
        "eye_area": _("eye area"),
        "nose": _("nose"),
        "left_cheek": _("left cheek"),
        "right_cheek": _("right cheek"),
        "chin": _("chin"),
    }


def skin_type_labels():
    return {
        "oily": _("oily"),
        "dry": _("dry"),
        "combination": _("combination"),
        "sensitive": _("sensitive"),
        "normal": _("normal"),
        "acne": _("acne-prone"),
    }


def severity_labels():
    return {"mild": _("mild"), "moderate": _("moderate"), "severe": _("severe"), "none": _("none")}


@dataclass(frozen=True)
class Facts:
    """Everything feedback may use: no photo, no personal data beyond first-party figures."""

    metrics: dict
    overall: int
    concerns: list  # [{"metric", "concern", "severity", "areas"}], worst first
    recommended_ingredients: list
    previous: dict | None = None  # {"metrics", "overall", "date"} of the person's last finished scan
    products_in_use: tuple = ()


def _template(facts: Facts) -> str:
    labels, areas, severities = metric_labels(), area_labels(), severity_labels()
    parts = [_("Your overall skin score is %(score)s of 100.") % {"score": facts.overall}]
    if facts.previous:
        delta = facts.overall - facts.previous["overall"]
        when = date_format(facts.previous["date"], "DATE_FORMAT")
        if delta > 0:
            parts.append(_("That is %(n)s points up since your scan of %(date)s.") % {"n": delta, "date": when})
        elif delta < 0:
            parts.append(_("That is %(n)s points down since your scan of %(date)s.") % {"n": -delta, "date": when})
        else:
            parts.append(_("That is the same as in your scan of %(date)s.") % {"date": when})
        changes = sorted(
            ((facts.metrics[m] - facts.previous["metrics"][m], m) for m in facts.metrics),
            key=lambda item: (-abs(item[0]), item[1]),
        )
        change, metric = changes[0]
        if change >= 5:
            parts.append(_("%(metric)s improved the most (+%(n)s).") % {"metric": labels[metric], "n": change})
        elif change <= -5:
            parts.append(_("%(metric)s slipped the most (%(n)s).") % {"metric": labels[metric], "n": change})
    best = sorted(facts.metrics, key=lambda m: (-facts.metrics[m], m))[:2]
    parts.append(
        _("Strongest today: %(first)s (%(a)s) and %(second)s (%(b)s).")
        % {
            "first": labels[best[0]],
            "a": facts.metrics[best[0]],
            "second": labels[best[1]],
            "b": facts.metrics[best[1]],
        }
    )
    for concern in facts.concerns[:3]:
        sentence = _("%(metric)s reads %(severity)s (%(score)s).") % {
            "metric": labels[concern["metric"]],
            "severity": severities[concern["severity"]],
            "score": facts.metrics[concern["metric"]],
        }
        if concern["areas"]:
            where = get_text_list([areas[a] for a in concern["areas"]], _("and"))
            sentence += " " + _("Most visible on the %(areas)s.") % {"areas": where}
        parts.append(sentence)
    if not facts.concerns:
        parts.append(_("No metric is below 70: keep your routine and your sunscreen."))
    if facts.recommended_ingredients:
        parts.append(
            _("Ingredients often chosen for this: %(list)s.") % {"list": ", ".join(facts.recommended_ingredients[:4])}
        )
    if facts.products_in_use:
        parts.append(
            _(
                "You are tracking %(products)s in your journal: "
                "take your next photo in the same light to compare fairly."
            )
            % {"products": get_text_list(list(facts.products_in_use), _("and"))}
        )
    parts.append(
        _(
            "This is an estimate from one photo for cosmetic care, not medical advice. "
            "See a dermatologist about anything painful, spreading or worrying."
        )
    )
    return " ".join(parts)


SYSTEM_RULES = (
    "Never name diseases, never diagnose, never promise to cure or treat anything; suggest seeing a "
    "dermatologist for anything painful or worrying."
)


def _analysis_prompt(facts: Facts, language) -> tuple[str, dict]:
    system = (
        "You write short, friendly cosmetic skincare feedback (at most 120 words) from photo-based "
        f"scores (0-100, higher is healthier). {SYSTEM_RULES} Answer in the language with code '{language}'."
    )
    return system, {
        "scores": facts.metrics,
        "overall": facts.overall,
        "concerns": facts.concerns,
        "previous_overall": facts.previous["overall"] if facts.previous else None,
        "ingredients_to_look_for": facts.recommended_ingredients,
        "products_in_use": list(facts.products_in_use),
    }


def _llm(system: str, facts: dict) -> str:
    """One chat completion; raises on any transport or format problem."""
    payload = {
        "model": settings.SKIN_FEEDBACK_LLM_MODEL,
        "temperature": 0.3,
        "max_tokens": 400,
        "messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": json.dumps(facts, default=str)},
        ],
    }
    request = urllib.request.Request(  # noqa: S310 - the URL comes from settings, not from users
        settings.SKIN_FEEDBACK_LLM_URL.rstrip("/") + "/chat/completions",
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Bearer {settings.SKIN_FEEDBACK_LLM_API_KEY}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=settings.SKIN_FEEDBACK_LLM_TIMEOUT) as response:  # noqa: S310
        answer = json.loads(response.read(256 * 1024).decode())
    text = answer["choices"][0]["message"]["content"]
    if not isinstance(text, str) or not text.strip():
        raise ValueError("empty completion")
    return text.strip()[:MAX_LLM_CHARS]


def write(*, template, prompt, language="en") -> tuple[str, str]:
    """(text, source): the LLM's text when configured and clean, ``template()``'s otherwise.

    ``prompt()`` gives (system message, facts as JSON-able data). Both run in ``language``."""
    with translation.override(language):
        if settings.SKIN_FEEDBACK_LLM_API_KEY:
            try:
                text = _llm(*prompt())
            except (urllib.error.URLError, TimeoutError, OSError, ValueError, KeyError, IndexError, TypeError) as exc:
                logger.warning("skin feedback LLM unavailable, using templates: %s", exc)
            else:
                screen = screen_text(text)
                if not screen.medical_claims and not screen.reasons:
                    return text, LLM
                logger.warning("skin feedback LLM text refused by the screen: %s", screen.reasons or "medical claims")
        return template(), TEMPLATE


def feedback_write(facts: Facts, *, language="en") -> tuple[str, str]:
    """(text, source) for an analysis: the LLM's text when configured and clean, the templates' otherwise."""
    return write(template=lambda: _template(facts), prompt=lambda: _analysis_prompt(facts, language), language=language)
