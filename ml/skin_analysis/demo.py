"""Demo skin analyses, goals, achievements and journal-week feedback, all through the real code.

Skin scans: for some shoppers, a face is generated (``synthetic.py``, the benchmark's generator)
with what their skin type would show (shine for oily skin, blemishes for acne-prone skin, ...),
uploaded as a private photo and analysed by the built-in analyzer, exactly as an upload is: two
scans five and one week ago, the second with less of the planted property. The numbers are the
analyzer's reading of a generated face, not of a person. Goals come from the suggestions of the
latest scan or journal; achievements are unlocked by evaluating what each shopper did.
Idempotent: the same first shoppers are chosen on every run, and those with a scan or a goal
already (or weeks with feedback) are left alone.
"""

import zlib
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.utils import timezone, translation

from ml.goals import services as goal_services
from ml.goals.models import Goal, GoalSource
from ml.skin_analysis import services
from ml.skin_analysis.models import SkinAnalysis
from ml.skin_analysis.synthetic import Face, face_jpeg
from ml.skin_analysis.week_feedback import week_facts, week_template
from reviews.models import ProgressEntry, WeekFeedbackSource
from reviews.progress import progress_entry_feedback_set
from shop.accounts.models import User

SCANNED_PER_SCALE = 40  # shoppers with two scans per 1.0 of --scale (at least 2)
GOALS_PER_SCALE = 60
ACHIEVERS_PER_SCALE = 300
FACE_SIZE = 400
# What a generated face of each skin type shows (amounts as in the benchmark).
FACE_FOR_SKIN = {
    "oily": {"shine": 0.7},
    "dry": {"dryness": 0.7, "lines": 6},
    "combination": {"shine": 0.5, "dryness": 0.3},
    "sensitive": {"redness": 0.7},
    "normal": {"spots": 8},
    "acne": {"blemishes": 18, "redness": 0.3},
}
SCANS = ((35, 1.0), (7, 0.6))  # (days ago, share of the planted amounts): the skin improves


def _shoppers():
    return User.objects.filter(email__startswith="shopper", email__endswith="@skincare.local", is_active=True)


def _face(user, share):
    planted = FACE_FOR_SKIN.get(user.skin_type, {"spots": 4})
    amounts = {
        key: (round(value * share) if isinstance(value, int) else value * share) for key, value in planted.items()
    }
    # Seeded by the e-mail, not the pk: the same face on every database, whatever rows came before.
    return Face(seed=zlib.crc32(user.email.encode()), size=FACE_SIZE, **amounts)


def _scan(user, share, days_ago, now):
    upload = SimpleUploadedFile(f"demo-face-{user.pk}.jpg", face_jpeg(_face(user, share)), content_type="image/jpeg")
    analysis = services.skin_analysis_start(user=user, upload=upload)
    services.skin_analysis_run(analysis_id=analysis.pk)  # now, not after the step's commit
    when = now - timedelta(days=days_ago)
    SkinAnalysis.objects.filter(pk=analysis.pk).update(created_at=when, completed_at=when + timedelta(seconds=20))


def seed_skin_analyses(*, scale, progress):
    now = timezone.now()
    count = max(2, int(SCANNED_PER_SCALE * scale))
    chosen = list(_shoppers().order_by("pk")[:count])  # the same shoppers on every run
    scanned = set(SkinAnalysis.objects.filter(user__in=chosen).values_list("user_id", flat=True))
    users = [user for user in chosen if user.pk not in scanned]
    for done, user in enumerate(users, start=1):
        for days_ago, share in SCANS:
            _scan(user, share, days_ago, now)
        progress(done, len(users), "shoppers' skin scans")
    failed = SkinAnalysis.objects.filter(user__in=users).exclude(status="done").count()
    return f"{len(users) * len(SCANS)} skin scans of generated faces ({failed} failed)"


def seed_goals(*, scale, progress):
    """A suggested goal for shoppers with a scan or a journal and no goal yet."""
    count = max(2, int(GOALS_PER_SCALE * scale))
    candidates = list(
        _shoppers()
        .filter(Q(skin_analyses__status="done") | Q(progress_journals__entries__isnull=False))
        .distinct()
        .order_by("pk")[:count]
    )
    with_goals = set(Goal.objects.filter(user__in=candidates).values_list("user_id", flat=True))
    users, created = [user for user in candidates if user.pk not in with_goals], 0
    for done, user in enumerate(users, start=1):
        suggestions = goal_services.goal_suggestions(user=user)
        if suggestions:
            first = suggestions[0]
            goal = goal_services.goal_create(
                user=user,
                metric=first["metric"],
                target_value=first["target_value"],
                deadline=first["deadline"],
                title=first["title"],
                source=GoalSource.SUGGESTION,
            )
            goal_services.goal_progress_refresh(goal=goal)
            created += 1
        progress(done, len(users), "suggested goals")
    return f"{created} goals ({Goal.objects.count()} in all)"


def seed_achievements(*, scale, progress):
    """Unlock what shoppers with scans, journals or reviews have earned (each once, with its notice)."""
    count = max(10, int(ACHIEVERS_PER_SCALE * scale))
    users = list(
        _shoppers()
        .filter(
            Q(skin_analyses__status="done") | Q(progress_journals__entries__isnull=False) | Q(reviews__isnull=False)
        )
        .distinct()
        .order_by("pk")[:count]
    )
    unlocked = 0
    for done, user in enumerate(users, start=1):
        unlocked += len(goal_services.achievements_evaluate(user=user))
        progress(done, len(users), "achievements evaluated")
    return f"{unlocked} achievements unlocked"


def seed_week_feedback(*, scale, progress):
    """Template feedback on the demo journals' weeks (bulk-created, so no save asked for it)."""
    entries = list(
        ProgressEntry.objects.filter(feedback="")
        .select_related("journal__product", "journal__user")
        .order_by("journal_id", "week_number")
    )
    for done, entry in enumerate(entries, start=1):
        with translation.override(entry.journal.user.language or "en"):
            text = week_template(week_facts(entry))
        progress_entry_feedback_set(entry_id=entry.pk, text=text, source=WeekFeedbackSource.TEMPLATE)
        if done % 50 == 0 or done == len(entries):
            progress(done, len(entries), "journal weeks with feedback")
    return f"feedback written for {len(entries)} journal weeks"
