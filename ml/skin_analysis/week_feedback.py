"""Personal feedback on each progress-journal week: what the person recorded that week, against the
week before, the skin scans around it and the other products they track.

Written once per save of the entry (after the commit, in a task): templates in the person's
language by default, the OpenAI-compatible LLM when a key is set (screened, falling back to the
templates, as for an analysis: ``advice.write``). Stored on the entry (``reviews`` shows it to the
owner in the journal API and page) through ``reviews.progress.progress_entry_feedback_set``.
"""

import datetime
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from ml.skin_analysis import advice
from ml.skin_analysis.models import SkinAnalysis, SkinAnalysisStatus
from reviews.models import IMPROVEMENT_FLAGS, ProgressEntry, ProgressJournal, ProgressStatus
from reviews.progress import progress_entry_feedback_set

SIDE_EFFECTS_STRONG = 3  # of 5: from here the feedback suggests pausing the product
EARLY_WEEKS = 4  # products often need this long before a change shows


def improvement_labels():
    return {
        "acne_reduced": _("fewer breakouts"),
        "skin_texture_improved": _("smoother texture"),
        "hydration_improved": _("better hydration"),
        "redness_reduced": _("less redness"),
        "pores_minimized": _("less visible pores"),
        "brightness_improved": _("more radiance"),
        "scarring_reduced": _("fading marks"),
        "oil_control_improved": _("better oil control"),
        "fine_lines_reduced": _("softer fine lines"),
    }


@dataclass(frozen=True)
class WeekFacts:
    """Everything a week's feedback may use: the person's own records, no photo."""

    week: int
    product: str
    satisfaction: int
    improvement: int
    side_effects: int
    improvements: tuple  # improvement flags set this week
    previous: dict | None = None  # {"week", "satisfaction", "improvement"} of the latest earlier week
    scan: dict | None = None  # {"overall", "metrics", "concerns", "date"}: latest finished scan up to the week
    first_scan: dict | None = None  # the same for the scan the journal started from, when it is another one
    other_products: tuple = ()  # other products tracked in ongoing journals


def _scan(analysis):
    if analysis is None:
        return None
    return {
        "overall": analysis.overall_score,
        "metrics": analysis.metrics,
        "concerns": analysis.concerns,
        "date": analysis.created_at,
    }


def week_facts(entry: ProgressEntry) -> WeekFacts:
    journal = entry.journal
    previous = (
        ProgressEntry.objects.filter(journal_id=journal.pk, week_number__lt=entry.week_number)
        .order_by("-week_number")
        .values("week_number", "overall_satisfaction", "skin_improvement")
        .first()
    )
    week_end = datetime.datetime.combine(entry.progress_date, datetime.time.max, tzinfo=datetime.UTC)
    done = SkinAnalysis.objects.filter(user_id=journal.user_id, status=SkinAnalysisStatus.DONE)
    scan = done.filter(created_at__lte=week_end).order_by("-created_at", "-id").first()
    first = None
    if scan is not None:
        # The scan the journal started from: the last one before it began, else its first one since.
        first = done.filter(created_at__lte=journal.started_at).order_by("-created_at", "-id").first() or (
            done.filter(created_at__gt=journal.started_at).order_by("created_at", "id").first()
        )
        if first is not None and first.pk == scan.pk:
            first = None
    others = (
        ProgressJournal.objects.filter(user_id=journal.user_id, status=ProgressStatus.ONGOING)
        .exclude(pk=journal.pk)
        .order_by("-started_at", "-id")
        .values_list("product__name", flat=True)[:3]
    )
    return WeekFacts(
        week=entry.week_number,
        product=journal.product.name,
        satisfaction=entry.overall_satisfaction,
        improvement=entry.skin_improvement,
        side_effects=entry.side_effects_severity,
        improvements=tuple(flag for flag in IMPROVEMENT_FLAGS if getattr(entry, flag)),
        previous=(
            {
                "week": previous["week_number"],
                "satisfaction": previous["overall_satisfaction"],
                "improvement": previous["skin_improvement"],
            }
            if previous
            else None
        ),
        scan=_scan(scan),
        first_scan=_scan(first),
        other_products=tuple(others),
    )


def _signed(value):
    return f"{value:+d}"


def week_template(facts: WeekFacts) -> str:
    labels, severities = advice.metric_labels(), advice.severity_labels()
    parts = [
        _("Week %(week)s with %(product)s: satisfaction %(satisfaction)s of 5, skin improvement %(improvement)s of 5.")
        % {
            "week": facts.week,
            "product": facts.product,
            "satisfaction": facts.satisfaction,
            "improvement": facts.improvement,
        }
    ]
    if facts.previous:
        satisfaction = facts.satisfaction - facts.previous["satisfaction"]
        improvement = facts.improvement - facts.previous["improvement"]
        if satisfaction or improvement:
            parts.append(
                _("Since week %(week)s: satisfaction %(satisfaction)s, skin improvement %(improvement)s.")
                % {
                    "week": facts.previous["week"],
                    "satisfaction": _signed(satisfaction),
                    "improvement": _signed(improvement),
                }
            )
        else:
            parts.append(_("Both ratings are the same as in week %(week)s.") % {"week": facts.previous["week"]})
    if facts.improvements:
        names = improvement_labels()
        parts.append(
            _("You noticed %(changes)s.") % {"changes": get_text_list([names[f] for f in facts.improvements], _("and"))}
        )
    elif facts.week < EARLY_WEEKS:
        parts.append(_("Little change in the first weeks is usual: keep using it as directed and record each week."))
    else:
        parts.append(
            _("No change noticed yet after %(week)s weeks: note how you use it, and compare again in a few weeks.")
            % {"week": facts.week}
        )
    if facts.side_effects >= SIDE_EFFECTS_STRONG:
        parts.append(
            _(
                "You rated side effects %(severity)s of 5: consider pausing %(product)s, and see a dermatologist "
                "if they last or get worse."
            )
            % {"severity": facts.side_effects, "product": facts.product}
        )
    elif facts.side_effects:
        parts.append(
            _("You rated side effects %(severity)s of 5: keep an eye on them.") % {"severity": facts.side_effects}
        )
    if facts.scan:
        scan = facts.scan
        parts.append(
            _("Your latest skin scan (%(date)s) scored %(score)s of 100.")
            % {"date": date_format(scan["date"], "DATE_FORMAT"), "score": scan["overall"]}
        )
        if facts.first_scan:
            first = facts.first_scan
            parts.append(
                _("That is %(change)s points since your scan of %(date)s, when you started.")
                % {
                    "change": _signed(scan["overall"] - first["overall"]),
                    "date": date_format(first["date"], "DATE_FORMAT"),
                }
            )
            change, metric = max(
                ((scan["metrics"][m] - first["metrics"][m], m) for m in scan["metrics"]),
                key=lambda item: (abs(item[0]), item[1]),
            )
            if abs(change) >= 5:
                parts.append(
                    _("%(metric)s moved the most (%(change)s).") % {"metric": labels[metric], "change": _signed(change)}
                )
        watch = [c for c in scan["concerns"] if c.get("metric") in labels][:2]
        if watch:
            parts.append(
                _("Worth watching: %(concerns)s.")
                % {
                    "concerns": get_text_list(
                        [
                            f"{labels[c['metric']]} ({severities.get(c['severity'], c['severity'])})"  # no words
                            for c in watch
                        ],
                        _("and"),
                    )
                }
            )
    if facts.other_products:
        parts.append(
            _("You are also tracking %(products)s: a change may come from any of them.")
            % {"products": get_text_list(list(facts.other_products), _("and"))}
        )
    parts.append(_("This sums up what you recorded, for cosmetic care; it is not medical advice."))
    return " ".join(parts)


def _week_prompt(facts: WeekFacts, language) -> tuple[str, dict]:
    system = (
        "You write short, friendly feedback (at most 100 words) on one week of a person's skincare progress "
        "journal: their own ratings (1-5), side effects (0-5), what they noticed, and photo-based skin scores "
        f"(0-100, higher is healthier). {advice.SYSTEM_RULES} Answer in the language with code '{language}'."
    )
    data = {
        "week": facts.week,
        "product": facts.product,
        "satisfaction": facts.satisfaction,
        "skin_improvement": facts.improvement,
        "side_effects": facts.side_effects,
        "noticed": list(facts.improvements),
        "previous_week": facts.previous,
        "latest_scan": {k: v for k, v in facts.scan.items() if k != "date"} if facts.scan else None,
        "first_scan_overall": facts.first_scan["overall"] if facts.first_scan else None,
        "other_products": list(facts.other_products),
    }
    return system, data


def week_feedback(facts: WeekFacts, *, language="en") -> tuple[str, str]:
    """(text, source): the LLM's when configured and clean, the templates' otherwise."""
    return advice.write(
        template=lambda: week_template(facts), prompt=lambda: _week_prompt(facts, language), language=language
    )


def journal_week_feedback_write(*, entry_id) -> str | None:
    """Write and store the feedback on one week entry; ``None`` when the entry is gone."""
    entry = ProgressEntry.objects.select_related("journal__product", "journal__user").filter(pk=entry_id).first()
    if entry is None:
        return None
    text, source = week_feedback(week_facts(entry), language=entry.journal.user.language or "en")
    progress_entry_feedback_set(entry_id=entry.pk, text=text, source=source)
    return text
