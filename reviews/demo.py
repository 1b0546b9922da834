"""Demo community content for ``manage.py seed_demo``: reviews (order 33), questions and answers
(34) and progress journals (35), written by the demo shoppers about what they bought.

The patterns follow the shoppers' skin: a product *fits* a shopper when its skin types include
the shopper's type (or "all"), its concerns overlap the shopper's concerns and it holds nothing
the skin is known to dislike (strong acids / retinoids on sensitive skin, rich butters on oily or
acne-prone skin, drying clays and peroxides on dry skin): ``shop.orders.demo_shoppers.product_fit``.
The rating is the one ``demo_shoppers.demo_rating`` drew for the pair, the same one the orders step
used to decide whether the shopper bought the product again. Fitting pairs rate higher, see results
and recommend; clashes rate low and report side effects; progress journals improve week by week
when the product fits. Recommendations and analytics then have real structure to find.

Volume goes in with ``bulk_create``; everything derived reuses the apps' own functions: the
moderation screen (``feedback.screening``) decides each item's status, ``reviews.categorize``
classifies questions, and product ratings and the users' community counters are recomputed
set-based with the expressions of ``reviews.invariants`` (the rules of ``product_rating_refresh``
and ``community_score_recalculate``, one UPDATE per chunk of rows, not one per row). Nothing is
sent: no moderation events fire, so no notification or e-mail is queued (``feedback.demo`` adds a few
notifications as history).

Idempotent: every random choice is seeded from stable keys (shopper e-mail, product SKU), and
rows that exist are skipped, so a second run creates nothing and a larger ``--scale`` tops up.
"""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F, Func, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from feedback.demo import history_notifications_create
from feedback.models import ContentType, ModerationItem, ModerationStatus, NotificationType
from feedback.screening import screen_text
from feedback.services import _priority, moderation_outcome
from reviews.categorize import categorize, urgency
from reviews.invariants import community_expressions, product_rating_expressions
from reviews.models import (
    IMPROVEMENT_FLAGS,
    Answer,
    AnswerVote,
    ContentStatus,
    ProgressEntry,
    ProgressJournal,
    ProgressStatus,
    Question,
    QuestionVote,
    Review,
    ReviewVote,
    UsageFrequency,
    VoteType,
)
from reviews.qa import _question_answer_count
from reviews.services import ITEM_TO_CONTENT_STATUS, _moderation_text, product_usage_refresh
from shop.accounts.models import Role, User
from shop.catalog.cache import invalidate_products
from shop.catalog.models import Product, ProductIngredient, ProductStatus
from shop.orders.demo_shoppers import demo_rating, product_fit
from shop.orders.models import Order, OrderItem, OrderStatus
from skincare.demo import analyze, bulk_create_dated

BATCH = 1000
SHOPPER_EMAILS = Q(email__startswith="shopper", email__endswith="@skincare.local")
EXPERT_EMAIL = "expert@skincare.local"
MODERATOR_EMAIL = "moderator@skincare.local"
ADMIN_EMAIL = "admin@skincare.local"

# --- How well a product fits a shopper -----------------------------------------------------------

# What goes wrong when the skin dislikes an ingredient: (side effect text, side-effect flag for journals)
CLASH_EFFECTS = {
    "strong_active": [
        "Stinging and redness for the first days, then dry patches.",
        "It burned a little on my cheeks and left them red.",
        "Tingling that did not go away and some peeling.",
    ],
    "rich": [
        "A few new clogged pores and breakouts on my chin.",
        "Felt heavy and greasy; small bumps on my forehead.",
    ],
    "drying": [
        "Left my skin tight and flaky.",
        "Made my dry patches worse around the nose.",
    ],
    "wrong_type": [
        "Not made for my skin type; it felt uncomfortable after a few hours.",
        "Some irritation along the jawline.",
    ],
}


@dataclass(frozen=True)
class ProductInfo:
    id: int
    sku: str
    name: str
    slug: str
    product_type: str
    skin_types: tuple
    concerns: tuple
    ingredients: tuple  # names, hero first
    price: float
    usage_time: str


def _rng(*parts):
    """A generator seeded from stable keys (e-mails, SKUs), so reruns make the same choices."""
    return random.Random("|".join(str(p) for p in parts))


def _clamp(value, low=1, high=5):
    return max(low, min(high, int(round(value))))


# --- Loading -------------------------------------------------------------------------------------


def _shoppers():
    return {
        u.pk: u
        for u in User.objects.filter(SHOPPER_EMAILS)
        .only("id", "email", "first_name", "skin_type", "skin_concerns", "language", "role")
        .order_by("pk")
    }


def _catalog(product_ids=None):
    products = Product.objects.all()
    links = ProductIngredient.objects.all()
    if product_ids is not None:
        products = products.filter(pk__in=list(product_ids))
        links = links.filter(product_id__in=list(product_ids))
    ingredients = defaultdict(list)
    for product_id, name in links.order_by("product_id", "sort_order", "id").values_list(
        "product_id", "ingredient__name"
    ):
        ingredients[product_id].append(name)
    rows = products.values_list(
        "id", "sku", "name", "slug", "product_type", "skin_types", "concerns", "price", "usage_time"
    )
    return {
        pk: ProductInfo(pk, sku, name, slug, ptype, tuple(types or ()), tuple(concerns or ()),
                        tuple(ingredients[pk]), float(price), usage or "")
        for pk, sku, name, slug, ptype, types, concerns, price, usage in rows
    }  # fmt: skip


def _delivered(shopper_ids):
    """``{user_id: {product_id: (order_item_id, order_created_at)}}``: each shopper's latest
    delivered line per product (what ``reviews.services.delivered_order_item`` would pick)."""
    rows = (
        OrderItem.objects.filter(
            order__user__in=User.objects.filter(SHOPPER_EMAILS), order__status=OrderStatus.DELIVERED
        )
        .values_list("id", "order__user_id", "product_id", "order__created_at")
        .order_by("id")
    )
    result = defaultdict(dict)
    for item_id, user_id, product_id, created in rows:
        if user_id in shopper_ids and product_id is not None:
            result[user_id][product_id] = (item_id, created)
    return result


def _delivery_date(rng, ordered, now):
    return min(ordered + timedelta(days=rng.randint(2, 6), hours=rng.randint(0, 12)), now - timedelta(hours=2))


def _count_into(model, pks, *, progress=None, label="counters", **counts):
    """Set denormalised counters of ``model`` rows from their related rows, in a few statements:
    ``counts``: field -> queryset of the related rows, filtered by ``OuterRef("pk")``."""
    subqueries = {
        field: Coalesce(Subquery(rows.order_by().annotate(n=Func(F("id"), function="COUNT")).values("n")), 0)
        for field, rows in counts.items()
    }
    _update_in_chunks(model, pks, subqueries, progress or (lambda *a: None), label)


def _chunks(values, size=5000):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- Moderation (the app's screen decides) -------------------------------------------------------


def _moderate(content_type, entries, *, moderator, now, progress=None):
    """Screen demo content with the live rules (``moderation_outcome``), without the events.

    ``entries``: ``(obj, text, user_id, metadata)``. Clean content is approved (automatically when
    auto-approval is on, else by the demo moderator); content the screen flags waits in the queue as
    ``needs_review``, exactly like a live submission. Sets ``obj.status`` and returns unsaved items.
    """
    items = []
    label = f"{content_type} texts screened"
    for done, (obj, text, user_id, metadata) in enumerate(entries, 1):
        if progress is not None and (done % 250 == 0 or done == len(entries)):
            progress(done, len(entries), label)
        result = screen_text(text)
        reasons = result.reasons
        when = getattr(obj, "_demo_date", now)
        status = moderation_outcome(result)
        values = {}
        if status == ModerationStatus.APPROVED:
            values = {"auto_approved": True, "reviewed_at": when}
        elif status == ModerationStatus.PENDING:  # the demo moderator approves what waits
            status = ModerationStatus.APPROVED
            values = {"reviewed_by": moderator, "reviewed_at": when + timedelta(hours=3)}
        obj.status = ITEM_TO_CONTENT_STATUS[status]
        item = ModerationItem(
            content_type=content_type,
            user_id=user_id,
            content_text=str(text or "")[:10000],
            content_metadata=metadata,
            flagged_reasons=list(reasons),
            auto_flagged=bool(reasons),
            spam_probability=result.spam,
            toxicity_score=result.toxicity,
            medical_claims_detected=result.medical_claims,
            screen_details=result.details,
            status=status,
            priority_level=_priority(reasons, photo=False),
            **values,
        )
        item._demo_obj = obj
        item._demo_date = when
        items.append(item)
    return items


def _save_moderation(items):
    for item in items:
        item.content_id = item._demo_obj.pk
    created = bulk_create_dated(ModerationItem, items)
    return sum(1 for item in created if item.status != ModerationStatus.APPROVED)


# --- Review texts --------------------------------------------------------------------------------

SKIN_WORDS = {
    "oily": "oily",
    "dry": "dry",
    "combination": "combination",
    "sensitive": "sensitive",
    "normal": "normal",
    "acne": "acne-prone",
}
CONCERN_WORDS = {
    "acne": "breakouts", "aging": "first signs of aging", "dark_spots": "dark spots", "dryness": "dryness",
    "dullness": "dull skin", "fine_lines": "fine lines", "hyperpigmentation": "uneven tone",
    "oiliness": "a shiny T-zone", "pores": "large pores", "redness": "redness", "scarring": "old acne marks",
    "sensitivity": "reactive skin", "texture": "rough texture", "dark_circles": "dark circles",
}  # fmt: skip
RESULTS = {
    "acne": ["I get far fewer breakouts now", "new spots calm down in a day or two"],
    "aging": ["my skin looks firmer", "my skin looks more rested"],
    "dark_spots": ["my dark spots are slowly fading", "the spots on my cheeks are lighter"],
    "dryness": ["no more tight, flaky patches", "my skin stays comfortable all day"],
    "dullness": ["my skin looks brighter", "I have a real glow in the morning"],
    "fine_lines": ["the lines around my eyes look softer", "fine lines on my forehead are less visible"],
    "hyperpigmentation": ["old marks look lighter", "my tone is more even"],
    "oiliness": ["my T-zone stays matte until the afternoon", "far less shine by lunchtime"],
    "pores": ["my pores look smaller", "the pores on my nose are less visible"],
    "redness": ["the redness around my nose has calmed down", "my cheeks are much less red"],
    "scarring": ["old acne marks look less obvious", "the marks on my chin are fading"],
    "sensitivity": ["my skin feels calmer and less reactive", "no more stinging after cleansing"],
    "texture": ["my skin feels smoother", "the little bumps on my forehead are gone"],
    "dark_circles": ["my under-eyes look less tired", "the dark circles are a bit lighter"],
}  # fmt: skip
BEFORE = {
    "acne": "Regular breakouts on my chin and cheeks.", "aging": "Skin losing some firmness.",
    "dark_spots": "Dark spots from the sun.", "dryness": "Tight, flaky patches, especially after washing.",
    "dullness": "Tired, dull-looking skin.", "fine_lines": "Fine lines around the eyes.",
    "hyperpigmentation": "Uneven tone and marks from old pimples.", "oiliness": "Very shiny T-zone by midday.",
    "pores": "Visible pores on the nose and cheeks.", "redness": "Redness around the nose and cheeks.",
    "scarring": "Marks left by old acne.", "sensitivity": "Skin that reacts to almost everything.",
    "texture": "Rough, bumpy texture.", "dark_circles": "Dark circles under the eyes.",
}  # fmt: skip
TEXTURES = {
    "serum": ["The texture is light and sinks in quickly.", "A watery serum that layers well."],
    "moisturizer": ["The cream absorbs fast and is not sticky.", "Rich but not greasy."],
    "cleanser": ["It rinses off easily and does not strip my skin.", "A little goes a long way."],
    "sunscreen": ["No white cast and it works under makeup.", "Light finish, no greasy feeling in the heat."],
    "toner": ["Refreshing and easy to pat in.", "Feels like water on the skin."],
    "mask": ["Easy to apply and rinse off.", "Pleasant and cooling."],
    "treatment": ["You only need a small amount.", "Dries quickly under moisturiser."],
}
GENERIC_TEXTURES = ["Pleasant texture and no fragrance.", "The packaging is practical and hygienic."]
TITLES = {
    5: ["Holy grail for my {skin} skin", "Finally something that works", "Love it", "My {concern} is so much better",
        "Repurchasing for sure", "Best {kind} I have tried"],
    4: ["Really good", "Does what it says", "Good for {skin} skin", "Nice, but give it time", "Solid {kind}"],
    3: ["It's okay", "Mixed feelings", "Not bad, not amazing", "Average for the price"],
    2: ["Not for my skin", "Disappointed", "Didn't see much change"],
    1: ["Too harsh for me", "Would not buy again", "Did not work for me at all"],
}  # fmt: skip
CLOSERS = {
    5: ["Will repurchase.", "I recommend it to anyone with {skin} skin.", "Already on my second bottle."],
    4: ["I would buy it again.", "Good value for what it does.", "A nice step in my routine."],
    3: ["Might try something else next time.", "It's fine, nothing special."],
    2: ["Probably won't buy again.", "Maybe it works better for other skin types."],
    1: ["I stopped using it.", "Gave it to my sister instead."],
}
KHMER = {  # (titles, texts) by sentiment
    "good": (["ល្អណាស់", "ពេញចិត្តខ្លាំង", "ស័ក្តិសមនឹងស្បែកខ្ញុំ"],
             ["ផលិតផលនេះល្អណាស់សម្រាប់ស្បែករបស់ខ្ញុំ។ ស្បែកខ្ញុំភ្លឺថ្លា និងរលោងជាងមុន។ ខ្ញុំនឹងទិញម្តងទៀត។",
              "ប្រើបានបីសប្តាហ៍ មុនរបស់ខ្ញុំថយចុះច្រើន។ វាស្រាល និងមិនស្អិត។",
              "ស្បែកខ្ញុំមានសំណើមពេញមួយថ្ងៃ។ ខ្ញុំណែនាំដល់មិត្តភក្តិ។"]),
    "mixed": (["ធម្មតា", "ល្អបង្គួរ"],
              ["ល្អបង្គួរ ប៉ុន្តែមិនទាន់ឃើញលទ្ធផលច្បាស់ទេ។",
               "វាងាយប្រើ ប៉ុន្តែតម្លៃថ្លៃបន្តិច។"]),
    "bad": (["មិនសមនឹងស្បែកខ្ញុំ", "មិនពេញចិត្ត"],
            ["មិនសមនឹងស្បែករបស់ខ្ញុំទេ។ ស្បែកខ្ញុំក្រហម និងរមាស់បន្តិច។",
             "ប្រើហើយមិនឃើញផលអ្វីទេ។ ខ្ញុំនឹងមិនទិញទៀតទេ។"]),
}  # fmt: skip
FREQUENCIES = {
    "mask": [UsageFrequency.WEEKLY, UsageFrequency.TWO_THREE_A_WEEK],
    "exfoliant": [UsageFrequency.TWO_THREE_A_WEEK, UsageFrequency.WEEKLY],
    "treatment": [UsageFrequency.AS_NEEDED, UsageFrequency.DAILY],
    "sunscreen": [UsageFrequency.DAILY],
    "cleanser": [UsageFrequency.TWICE_DAILY, UsageFrequency.DAILY],
}
FREQUENCY_WORDS = {
    UsageFrequency.DAILY: "every day",
    UsageFrequency.TWICE_DAILY: "morning and night",
    UsageFrequency.WEEKLY: "once a week",
    UsageFrequency.TWO_THREE_A_WEEK: "two or three times a week",
    UsageFrequency.AS_NEEDED: "whenever I need it",
}
METHODS = {
    "cleanser": "Massage onto damp skin for a minute, then rinse.",
    "serum": "Two or three drops on clean skin before moisturiser.",
    "sunscreen": "Two finger lengths every morning, reapplied at lunch.",
    "mask": "A thin layer for ten minutes, then rinse.",
    "exfoliant": "A cotton pad at night, never on the same night as retinol.",
}
# Rarely, a shopper overstates: the moderation screen flags the claim and the review waits in the queue.
MEDICAL_CLAIMS = ["Honestly it cured my skin.", "Works better than the prescription cream I had."]


def _kind(product):
    return product.product_type.replace("_", " ").replace("moisturizer", "moisturiser")


def _review_texts(rng, *, user, product, fit, rating, frequency, weeks, visible_results, side_effect):
    skin = SKIN_WORDS.get(user.skin_type, user.skin_type)
    concerns = list(user.skin_concerns or [])
    concern = fit.matched[0] if fit.matched else (concerns[0] if concerns else "dullness")
    if user.language == "km" and rng.random() < 0.25:
        titles, texts = KHMER["good" if rating >= 4 else ("mixed" if rating == 3 else "bad")]
        return rng.choice(titles), rng.choice(texts)
    title = rng.choice(TITLES[rating]).format(
        skin=skin, concern=CONCERN_WORDS.get(concern, concern), kind=_kind(product)
    )
    parts = [
        f"I have {skin} skin"
        + (f" and mostly struggle with {CONCERN_WORDS.get(concerns[0], concerns[0])}." if concerns else "."),
        f"I have been using it {FREQUENCY_WORDS.get(frequency, 'regularly')} for "
        + (f"about {weeks} week{'s' if weeks != 1 else ''}." if weeks else "a few days."),
    ]
    hero = product.ingredients[0].lower() if product.ingredients else ""
    if visible_results and fit.matched:
        results = [rng.choice(RESULTS[c]) for c in fit.matched if c in RESULTS]
        sentence = " and ".join(results[:2])
        parts.append(sentence[0].upper() + sentence[1:] + ".")
        if hero and rng.random() < 0.5:
            parts.append(f"You can tell the {hero} is doing its job.")
    elif visible_results:
        parts.append("My skin feels nicer overall, although it did not change my main concern much.")
    elif rating >= 4:
        parts.append(f"Too early to judge my {CONCERN_WORDS.get(concern, concern)}, but my skin feels lovely.")
    elif rating == 3:
        parts.append(f"I don't see a big difference for my {CONCERN_WORDS.get(concern, concern)} yet.")
    else:
        parts.append(f"It did nothing for my {CONCERN_WORDS.get(concern, concern)}.")
    if side_effect:
        parts.append(side_effect)
    parts.append(rng.choice(TEXTURES.get(product.product_type, GENERIC_TEXTURES)))
    parts.append(rng.choice(CLOSERS[rating]).format(skin=skin))
    if rating == 5 and rng.random() < 0.03:
        parts.append(rng.choice(MEDICAL_CLAIMS))
    return title, " ".join(parts)


def _aspects(rng, rating, product):
    def near(base, spread=1, bias=0.0):
        return _clamp(base + bias + rng.uniform(-spread, spread))

    value_bias = -0.6 if product.price > 35 else (0.3 if product.price < 12 else 0.0)
    return {
        "effectiveness_rating": near(rating, 0.6),
        "texture_rating": near(rating, 1.0, 0.4),
        "scent_rating": near(4, 1.0) if rng.random() < 0.8 else None,  # the catalog is fragrance-free
        "packaging_rating": near(4, 1.2) if rng.random() < 0.7 else None,
        "value_for_money_rating": near(rating, 1.0, value_bias),
    }


def _build_review(*, user, product, fit, item_id, ordered, now):
    rng = _rng("review", user.email, product.sku)
    delivered = _delivery_date(rng, ordered, now)
    available = (now - delivered).days
    if available < 1:
        return None
    usage_days = rng.randint(7, 56)
    if usage_days > available:  # a recent delivery: reviewed after a few days or weeks
        usage_days = rng.randint(1, available)
    rating = demo_rating(email=user.email, sku=product.sku, level=fit.level)  # what the orders step assumed
    if fit.level == "great":
        visible_results = rng.random() < (0.85 if rating >= 4 else 0.3)
    elif fit.level == "ok":
        visible_results = rng.random() < (0.45 if rating >= 4 else 0.1)
    else:
        visible_results = rng.random() < 0.08
    side_effect = ""
    if fit.clash and rng.random() < 0.7:
        side_effect = rng.choice(CLASH_EFFECTS[fit.clash])
    elif rng.random() < (0.02 if fit.level == "great" else 0.06):
        side_effect = "Slight tingling the first time I used it."
    would_recommend = rng.random() < {5: 0.97, 4: 0.9, 3: 0.4, 2: 0.08, 1: 0.02}[rating]
    frequency = rng.choice(FREQUENCIES.get(product.product_type, [UsageFrequency.DAILY, UsageFrequency.TWICE_DAILY]))
    weeks = usage_days // 7
    title, text = _review_texts(
        rng, user=user, product=product, fit=fit, rating=rating, frequency=frequency, weeks=weeks,
        visible_results=visible_results, side_effect=side_effect,
    )  # fmt: skip
    concerns = list(user.skin_concerns or [])
    before = " ".join(BEFORE[c] for c in concerns if c in BEFORE)
    after = ""
    if visible_results and fit.matched:
        after = " ".join(rng.choice(RESULTS[c]).capitalize() + "." for c in fit.matched if c in RESULTS)
    review = Review(
        product_id=product.id,
        user_id=user.pk,
        order_item_id=item_id,
        rating=rating,
        title=title[:255],
        review_text=text,
        skin_type_at_review=user.skin_type or "",
        usage_duration=usage_days,
        visible_results=visible_results,
        would_recommend=would_recommend,
        skin_condition_before=before if rng.random() < 0.6 else "",
        skin_condition_after=after,
        side_effects=side_effect,
        how_often_used=frequency,
        application_method=METHODS.get(product.product_type, "") if rng.random() < 0.4 else "",
        is_verified_purchase=True,
        **_aspects(rng, rating, product),
    )
    review._demo_date = min(delivered + timedelta(days=usage_days, minutes=rng.randint(0, 600)), now)
    return review


# --- Step: reviews -------------------------------------------------------------------------------


def seed_reviews(*, scale, progress):
    """Reviews of delivered order lines (one per shopper and product), helpful votes, counters."""
    now = timezone.now()
    analyze(User, Order, OrderItem, Product, ProductIngredient, Review)
    shoppers = _shoppers()
    delivered = _delivered(shoppers)
    if not delivered:
        return "skipped reviews: no delivered demo orders (run the accounts, catalog and orders steps first)"
    catalog = _catalog({pid for lines in delivered.values() for pid in lines})
    existing = set(
        Review.objects.filter(user_id__in=User.objects.filter(SHOPPER_EMAILS)).values_list("user_id", "product_id")
    )
    moderator = User.objects.filter(email=MODERATOR_EMAIL).first()
    reviews = []
    for done, (user_id, lines) in enumerate(delivered.items(), 1):
        user = shoppers[user_id]
        # About half the shoppers never write reviews; the others review a good share of what they buy.
        propensity = _rng("reviewer", user.email).choice([0, 0, 0, 0, 0.35, 0.5, 0.65, 0.8, 0.9])
        if not propensity:
            continue
        for product_id, (item_id, ordered) in lines.items():
            product = catalog.get(product_id)
            if product is None or (user_id, product_id) in existing:
                continue
            if _rng("reviews?", user.email, product.sku).random() >= propensity:
                continue
            fit = product_fit(skin_type=user.skin_type, concerns=user.skin_concerns, product=product)
            review = _build_review(user=user, product=product, fit=fit, item_id=item_id, ordered=ordered, now=now)
            if review is not None:
                # used together: other products of the same shopper (routine structure for recommendations)
                others = [pid for pid in lines if pid != product_id]
                rng = _rng("routine", user.email, product.sku)
                review.used_with_other_products = rng.sample(others, k=min(len(others), rng.randint(0, 2)))
                reviews.append(review)
        if done % 100 == 0:
            progress(done, len(delivered), "reviews drafted")
    progress(len(delivered), len(delivered), "reviews drafted")
    if not reviews:
        return "0 reviews created (all delivered lines already reviewed or skipped)"

    items = _moderate(
        ContentType.REVIEW,
        [(r, _moderation_text(r), r.user_id, {"product_id": r.product_id, "rating": r.rating}) for r in reviews],
        moderator=moderator,
        now=now,
        progress=progress,
    )
    for review in reviews:
        if review.status == ContentStatus.APPROVED:
            review.approved_at = review._demo_date
    for start in range(0, len(reviews), BATCH):
        bulk_create_dated(Review, reviews[start : start + BATCH])
        progress(min(start + BATCH, len(reviews)), len(reviews), "reviews saved")
    queued = _save_moderation(items)

    progress(0, 1, "helpful votes")
    votes = _seed_review_votes(reviews, shoppers, now)
    progress(1, 1, "helpful votes")
    analyze(Review, ReviewVote, ModerationItem)
    _review_vote_counters([r.pk for r in reviews], progress)
    touched_products = sorted({r.product_id for r in reviews})
    _recalculate_products(touched_products, progress)
    _recalculate_users({r.user_id for r in reviews}, progress)
    progress(0, 1, "review notifications")
    notified = _review_notifications(reviews, catalog)
    progress(1, 1, "review notifications")
    approved = sum(1 for r in reviews if r.status == ContentStatus.APPROVED)
    return (
        f"{len(reviews)} reviews ({approved} approved, {queued} waiting in the moderation queue), "
        f"{votes} votes; ratings of {len(touched_products)} products recomputed; {notified} notifications"
    )


def _review_notifications(reviews, catalog):
    """ "Your review is live" (the text of ``reviews.services``) for each author's two latest reviews."""
    latest = defaultdict(list)
    for review in sorted(reviews, key=lambda r: r._demo_date, reverse=True):
        if review.status == ContentStatus.APPROVED and len(latest[review.user_id]) < 2:
            latest[review.user_id].append(review)
    entries = []
    for user_reviews in latest.values():
        for review in user_reviews:
            product = catalog[review.product_id]
            entries.append(
                {
                    "user_id": review.user_id,
                    "type": NotificationType.REVIEW_APPROVED,
                    "title": "Your review is live",
                    "message": f"Your review of {product.name} is now visible to other shoppers.",
                    "action_url": f"/products/{product.slug}/reviews/{review.pk}",
                    "related_type": "review",
                    "related_id": review.pk,
                    "created_at": review.approved_at,
                }
            )
    return history_notifications_create(entries)


def _seed_review_votes(reviews, shoppers, now):
    """A few votes per approved review, mostly from shoppers with the same skin type."""
    by_type = defaultdict(list)
    for user in shoppers.values():
        by_type[user.skin_type].append(user.pk)
    everyone = list(shoppers)
    votes = []
    for review in reviews:
        if review.status != ContentStatus.APPROVED:
            continue
        author = shoppers[review.user_id]
        rng = _rng("votes", author.email, review.product_id)
        n = rng.choices([0, 1, 2, 3, 5, 8], weights=[30, 26, 18, 13, 8, 5])[0]
        if review.visible_results or len(review.review_text) > 300:
            n += rng.randint(0, 2)
        same = by_type[author.skin_type]  # (the author is skipped below; no per-review copy of the list)
        voters = set()
        for _ in range(n * 2):
            if len(voters) >= n:
                break
            pool = same if same and rng.random() < 0.7 else everyone
            voter = rng.choice(pool)
            if voter != author.pk:
                voters.add(voter)
        for voter in sorted(voters):
            helpful = rng.random() < (0.92 if review.rating != 3 else 0.75)
            votes.append(
                ReviewVote(review=review, user_id=voter, vote_type=VoteType.HELPFUL if helpful else VoteType.UNHELPFUL)
            )
    ReviewVote.objects.bulk_create(votes, batch_size=BATCH)
    return len(votes)


def _review_vote_counters(review_ids, progress):
    """Vote counters on the reviews, counted from the vote rows."""
    votes = ReviewVote.objects.filter(review=OuterRef("pk"))
    _count_into(
        Review,
        review_ids,
        progress=progress,
        label="review vote counters",
        helpful_votes_count=votes.filter(vote_type=VoteType.HELPFUL),
        unhelpful_votes_count=votes.filter(vote_type=VoteType.UNHELPFUL),
        total_votes_count=votes,
    )


def _update_in_chunks(model, pks, expressions, progress, label):
    """One ``UPDATE ... SET field = (aggregate subquery)`` per chunk of rows, a bar step per chunk."""
    pks = sorted(pks)
    progress(0, len(pks), label)
    done = 0
    for chunk in _chunks(pks):
        model.objects.filter(pk__in=chunk).update(**expressions)
        done += len(chunk)
        progress(done, len(pks), label)


def _recalculate_products(product_ids, progress):
    """Ratings and review counts from the approved reviews, as ``product_rating_refresh`` computes
    them, for all the products at once (set-based)."""
    _update_in_chunks(Product, product_ids, product_rating_expressions(), progress, "product ratings")
    invalidate_products(sorted(product_ids))
    for chunk in _chunks(sorted(product_ids)):
        product_usage_refresh(product_ids=chunk)  # how often reviewers use them (run-out estimates)


def _recalculate_users(user_ids, progress):
    """Community counters, score and average rating from the content tables, as
    ``reviews.community.community_score_recalculate`` computes them, for all the users at once."""
    _update_in_chunks(User, user_ids, community_expressions(), progress, "community scores")


# --- Step: questions and answers -----------------------------------------------------------------

QUESTIONS = [
    "Is this suitable for {skin} skin?",
    "Can I use this with a retinol serum at night?",
    "Can I use it together with vitamin C in the morning?",
    "How often should I apply it, morning or night?",
    "Do I apply it before or after moisturiser?",
    "How long until you see results for {concern}?",
    "Does it really help with {concern}? Is it worth it?",
    "Does it contain fragrance or alcohol?",
    "What is the concentration of {hero}?",
    "Did anyone get breakouts or purging in the first weeks?",
    "My cheeks started to sting and burn after using it, is that normal?",
    "Is it safe to use while pregnant?",
    "How big is the bottle? Is it enough for two months?",
    "Does the packaging hold up in hot weather?",
]
AGE_RANGES = ["18-24", "25-34", "25-34", "35-44", "45-54"]
USAGE_WORDS = {"am": "in the morning", "pm": "in the evening", "am_pm": "morning and evening", "weekly": "once a week"}
EXPERT_ANSWERS = {
    "compatibility": "It is formulated for {types} skin. Introduce one new active at a time and use strong acids "
    "and retinol on alternate evenings rather than together. Patch-test on the jawline for three evenings first.",
    "ingredients": "The key ingredient is {hero}{concentration}; the full ingredient list is on the product page. "
    "It is fragrance-free and has no drying alcohol.",
    "usage": "Apply it {usage} on clean skin, after toner and before moisturiser. In the morning always finish "
    "with sunscreen.",
    "results": "Most people notice a difference after four to eight weeks of regular use; skin renews itself "
    "in about a month, so give it at least that long before judging.",
    "side_effects": "Mild tingling in the first week can be normal with active ingredients, but burning, swelling "
    "or a rash is not: stop using it, rinse with cool water and see a professional if it persists. Restart every "
    "other evening once your skin has calmed down.",
    "general": "Good question! With daily use the standard size lasts about two months; keep it closed and out "
    "of direct sun.",
}
EXPERT_CREDENTIALS = "Dermatologist, 12 years of clinical practice in Phnom Penh"
BUYER_ANSWERS = {
    "great": [
        "I have {skin} skin too and it works really well for me: {result}.",
        "Yes! I've used it for a couple of months and {result}.",
    ],
    "ok": [
        "It's fine on my {skin} skin, but I didn't notice much for {concern}.",
        "Nice to use, results are slow for me. Give it time.",
    ],
    "poor": [
        "It didn't suit my {skin} skin. {effect}",
        "Be careful if your skin is {skin}. {effect}",
    ],
}


def seed_questions(*, scale, progress):
    """Questions on popular products, answered by the expert and by verified buyers (some left open)."""
    now = timezone.now()
    analyze(User, Order, OrderItem, Product, ProductIngredient, Question)
    shoppers = _shoppers()
    if not shoppers:
        return "skipped questions: no demo shoppers (run the accounts step first)"
    limit = max(5, round(25 * scale))
    popular = list(
        Product.objects.filter(status=ProductStatus.ACTIVE, sku__startswith="DEMO-")
        .order_by("-sales_count", "-review_count", "sku")
        .values_list("id", flat=True)[:limit]
    )
    catalog = _catalog(popular)
    delivered = _delivered(shoppers)
    buyers_of = defaultdict(list)
    for user_id, lines in delivered.items():
        for product_id in lines:
            buyers_of[product_id].append(user_id)
    expert = User.objects.filter(email=EXPERT_EMAIL, role=Role.EXPERT).first()
    admin = User.objects.filter(email=ADMIN_EMAIL).first()
    moderator = User.objects.filter(email=MODERATOR_EMAIL).first()
    existing = set(Question.objects.filter(product_id__in=popular).values_list("product_id", "user_id", "question"))
    everyone = list(shoppers)

    questions, planned = [], set()
    for done, product_id in enumerate(popular, 1):
        product = catalog[product_id]
        rng = _rng("questions", product.sku)
        for _ in range(rng.choice([1, 1, 2, 2, 3, 4])):
            asker = shoppers[rng.choice(everyone)]
            concerns = list(asker.skin_concerns or [])
            concern = rng.choice(concerns) if concerns else "dullness"
            text = rng.choice(QUESTIONS).format(
                skin=SKIN_WORDS.get(asker.skin_type, asker.skin_type),
                concern=CONCERN_WORDS.get(concern, concern),
                hero=(product.ingredients[0] if product.ingredients else "the active").lower(),
            )
            age_range = rng.choice(AGE_RANGES)
            asked = now - timedelta(days=rng.randint(1, 80), minutes=rng.randint(0, 1440))
            key = (product_id, asker.pk, text)
            if key in existing or key in planned:  # (every draw above happens either way: reruns stay in step)
                continue
            question = Question(
                product_id=product_id,
                user_id=asker.pk,
                question=text,
                skin_type_context=asker.skin_type or "",
                age_range=age_range,
                skin_concerns_context=concerns,
                question_category=categorize(text),
                urgency_level=urgency(text),
            )
            question._demo_date = asked
            questions.append(question)
            planned.add(key)
        progress(done, len(popular), "questions drafted")
    if not questions:
        return "0 questions created (already there)"

    items = _moderate(
        ContentType.QUESTION,
        [(q, q.question, q.user_id, {"product_id": q.product_id}) for q in questions],
        moderator=moderator,
        now=now,
        progress=progress,
    )
    bulk_create_dated(Question, questions)
    queued = _save_moderation(items)

    answers = []
    for question in questions:
        if question.status != ContentStatus.APPROVED:
            continue
        answers.extend(
            _answers_for(question, catalog[question.product_id], shoppers, delivered, buyers_of, expert, admin, now)
        )
    answer_items = _moderate(
        ContentType.ANSWER,
        [
            (a, a.answer, a.user_id, {"question_id": a.question_id, "product_id": a.question.product_id})
            for a in answers
        ],
        moderator=moderator,
        now=now,
        progress=progress,
    )
    bulk_create_dated(Answer, answers)
    queued += _save_moderation(answer_items)
    progress(1, 2, "answers")

    analyze(Question, Answer)
    emails = {user.pk: user.email for user in [*shoppers.values(), expert, admin] if user is not None}
    votes = _seed_qa_votes(questions, answers, everyone, catalog=catalog, emails=emails)
    analyze(QuestionVote, AnswerVote)
    for question in questions:
        approved = sum(1 for a in answers if a.question_id == question.pk and a.status == ContentStatus.APPROVED)
        if approved:
            _question_answer_count(question.pk, approved)  # also sets is_answered, as live answers do
    progress(2, 2, "answers")
    people = {q.user_id for q in questions} | {a.user_id for a in answers}
    _recalculate_users(people, progress)
    notified = _answer_notifications(questions, answers, catalog)
    open_questions = sum(1 for q in questions if q.status == ContentStatus.APPROVED) - len(
        {a.question_id for a in answers if a.status == ContentStatus.APPROVED}
    )
    experts = sum(1 for a in answers if a.is_from_expert)
    return (
        f"{len(questions)} questions on {len(popular)} popular products ({open_questions} unanswered), "
        f"{len(answers)} answers ({experts} by the expert), {votes} votes, {queued} in the moderation queue; "
        f"{notified} notifications"
    )


def _answer_notifications(questions, answers, catalog):
    """ "Your question was answered" (the text of ``reviews.qa``) for the first approved answer."""
    first = {}
    for answer in sorted(answers, key=lambda a: a._demo_date):
        if answer.status == ContentStatus.APPROVED and answer.user_id != answer.question.user_id:
            first.setdefault(answer.question_id, answer)
    entries = []
    for question in questions:
        answer = first.get(question.pk)
        if answer is None or question.user_id is None:
            continue
        product = catalog[question.product_id]
        who = "An expert" if answer.is_from_expert else "A verified buyer"
        entries.append(
            {
                "user_id": question.user_id,
                "type": NotificationType.QUESTION_ANSWERED,
                "title": "Your question was answered",
                "message": f"{who} answered your question about {product.name}.",
                "action_url": f"/products/{product.slug}/questions/{question.pk}",
                "related_type": "question",
                "related_id": question.pk,
                "created_at": answer._demo_date,
            }
        )
    return history_notifications_create(entries)


def _answers_for(question, product, shoppers, delivered, buyers_of, expert, admin, now):
    # the asker's e-mail, not the id: the same answers whatever ids the database hands out
    rng = _rng("answers", product.sku, shoppers[question.user_id].email, question.question)
    if rng.random() < 0.22:  # left open
        return []
    answers = []
    category = question.question_category
    if expert is not None and (rng.random() < 0.55 or category == "side_effects" or question.urgency_level == "high"):
        types = ", ".join(product.skin_types).replace("all", "every") if product.skin_types else "most"
        hero = (product.ingredients[0] if product.ingredients else "a gentle active").lower()
        concentration = next((f" ({w})" for w in product.name.split() if w.endswith("%")), "")
        text = EXPERT_ANSWERS.get(category, EXPERT_ANSWERS["general"]).format(
            types=types,
            hero=hero,
            concentration=concentration,
            usage=USAGE_WORDS.get(product.usage_time, "once or twice a day"),
        )
        answer = Answer(
            question=question,
            user_id=expert.pk,
            answer=text,
            is_from_expert=True,
            expert_credentials=EXPERT_CREDENTIALS,
            is_from_verified_buyer=product.id in delivered.get(expert.pk, {}),
        )
        answer._demo_date = min(question._demo_date + timedelta(hours=rng.randint(2, 72)), now)
        if admin is not None and rng.random() < 0.3:
            answer.is_verified_by_admin, answer.verified_by = True, admin
            answer.verified_at = min(answer._demo_date + timedelta(hours=rng.randint(1, 48)), now)
            answer.verification_notes = "Checked against the product formula."
        answers.append(answer)
    buyers = [pk for pk in buyers_of.get(product.id, []) if pk != question.user_id]
    for buyer_id in rng.sample(buyers, k=min(len(buyers), rng.choice([0, 1, 1, 2]))):
        buyer = shoppers[buyer_id]
        fit = product_fit(skin_type=buyer.skin_type, concerns=buyer.skin_concerns, product=product)
        concern = (fit.matched or tuple(buyer.skin_concerns or ()) or ("dullness",))[0]
        text = rng.choice(BUYER_ANSWERS[fit.level]).format(
            skin=SKIN_WORDS.get(buyer.skin_type, buyer.skin_type),
            concern=CONCERN_WORDS.get(concern, concern),
            result=rng.choice(RESULTS.get(concern, ["my skin looks better"])),
            effect=rng.choice(CLASH_EFFECTS.get(fit.clash or "wrong_type")),
        )
        answer = Answer(question=question, user_id=buyer_id, answer=text, is_from_verified_buyer=True)
        answer._demo_date = min(question._demo_date + timedelta(hours=rng.randint(1, 240)), now)
        answers.append(answer)
    return answers


def _question_key(question, catalog, emails):
    """A question's stable key (its product's SKU, its asker's e-mail, its text), not the ids the database
    handed out: the draws below are the same whatever ids earlier rows took."""
    return catalog[question.product_id].sku, emails[question.user_id], question.question


def _qa_votes(questions, answers, everyone, *, catalog, emails):
    """Votes drawn from stable keys (``_question_key``, the answerer's e-mail); ``everyone``: the voters' ids
    in the order the demo created them. Returns the unsaved ``(question votes, answer votes)``."""
    question_votes, answer_votes = [], []
    for question in questions:
        if question.status != ContentStatus.APPROVED:
            continue
        rng = _rng("question-votes", *_question_key(question, catalog, emails))
        voters = {
            v for v in rng.sample(everyone, k=min(len(everyone), rng.choice([0, 0, 1, 2, 4]))) if v != question.user_id
        }
        question_votes += [QuestionVote(question=question, user_id=v) for v in sorted(voters)]
    for answer in answers:
        if answer.status != ContentStatus.APPROVED:
            continue
        rng = _rng("answer-votes", *_question_key(answer.question, catalog, emails), emails[answer.user_id])
        n = rng.choice([1, 2, 3, 5]) if answer.is_from_expert else rng.choice([0, 0, 1, 2])
        voters = {v for v in rng.sample(everyone, k=min(len(everyone), n)) if v != answer.user_id}
        for voter in sorted(voters):
            vote_type = VoteType.HELPFUL if rng.random() < 0.9 else VoteType.UNHELPFUL
            answer_votes.append(AnswerVote(answer=answer, user_id=voter, vote_type=vote_type))
    return question_votes, answer_votes


def _seed_qa_votes(questions, answers, everyone, *, catalog, emails):
    question_votes, answer_votes = _qa_votes(questions, answers, everyone, catalog=catalog, emails=emails)
    QuestionVote.objects.bulk_create(question_votes, batch_size=BATCH)
    AnswerVote.objects.bulk_create(answer_votes, batch_size=BATCH)
    # counters from the vote rows
    _count_into(Question, [q.pk for q in questions], helpful_votes=QuestionVote.objects.filter(question=OuterRef("pk")))
    answer_votes_of = AnswerVote.objects.filter(answer=OuterRef("pk"))
    _count_into(
        Answer,
        [a.pk for a in answers],
        helpful_votes=answer_votes_of.filter(vote_type=VoteType.HELPFUL),
        unhelpful_votes=answer_votes_of.filter(vote_type=VoteType.UNHELPFUL),
    )
    return len(question_votes) + len(answer_votes)


# --- Step: progress journals ---------------------------------------------------------------------

CONCERN_FLAGS = {
    "acne": "acne_reduced", "pores": "pores_minimized", "oiliness": "oil_control_improved",
    "dryness": "hydration_improved", "redness": "redness_reduced", "sensitivity": "redness_reduced",
    "texture": "skin_texture_improved", "dullness": "brightness_improved", "dark_spots": "brightness_improved",
    "hyperpigmentation": "brightness_improved", "scarring": "scarring_reduced", "fine_lines": "fine_lines_reduced",
    "aging": "fine_lines_reduced",
}  # fmt: skip
FAST_ACTING = {  # (flag, ingredient) pairs that show within two or three weeks
    ("acne_reduced", "Salicylic acid"), ("acne_reduced", "Niacinamide"), ("acne_reduced", "Benzoyl peroxide"),
    ("oil_control_improved", "Niacinamide"), ("hydration_improved", "Hyaluronic acid"),
    ("hydration_improved", "Ceramides"), ("redness_reduced", "Centella asiatica"),
}  # fmt: skip
GOALS = {
    "acne_reduced": "Fewer breakouts", "pores_minimized": "Smaller-looking pores", "oil_control_improved": "Less shine",
    "hydration_improved": "Comfortable, hydrated skin", "redness_reduced": "Calmer, less red skin",
    "skin_texture_improved": "Smoother texture", "brightness_improved": "A brighter, more even tone",
    "scarring_reduced": "Fading old marks", "fine_lines_reduced": "Softer fine lines",
}  # fmt: skip
TRACKED_TYPES = {"serum", "treatment", "exfoliant", "moisturizer", "toner", "essence", "eye_care", "face_oil"}


def _journal_plan(rng, fit, available_weeks):
    """(status, weeks) for a journal; fitting products are kept up, clashing ones abandoned."""
    completed, ongoing = {"great": (0.5, 0.9), "ok": (0.3, 0.75), "poor": (0.0, 0.35)}[fit.level]
    roll = rng.random()
    if roll < completed:
        status = ProgressStatus.COMPLETED
    else:
        status = ProgressStatus.ONGOING if roll < ongoing else ProgressStatus.ABANDONED
    low, high = {ProgressStatus.COMPLETED: (6, 12), ProgressStatus.ABANDONED: (1, 4)}.get(status, (2, 10))
    weeks = min(rng.randint(low, high), available_weeks)
    if status == ProgressStatus.COMPLETED and weeks < 4:
        status = ProgressStatus.ONGOING
    return status, weeks


def _entries(rng, journal, fit, product, weeks, start):
    goal_flags = [CONCERN_FLAGS[c] for c in fit.matched if c in CONCERN_FLAGS]
    ingredients = set(product.ingredients)
    onset = {
        flag: (rng.randint(2, 3) if any((flag, i) in FAST_ACTING for i in ingredients) else rng.randint(3, 6))
        for flag in goal_flags
    }
    slope = {"great": 0.4, "ok": 0.15, "poor": -0.1}[fit.level]
    entries = []
    for week in range(1, weeks + 1):
        improvement = _clamp(1.5 + slope * week + rng.uniform(-0.4, 0.4))
        if fit.level == "poor":
            side = (
                _clamp(3 - 0.3 * week + rng.uniform(-0.5, 0.5), 0, 5) if fit.clash else _clamp(rng.uniform(0, 1), 0, 5)
            )
        else:
            side = 1 if week == 1 and rng.random() < 0.15 else 0
        satisfaction = _clamp(improvement + (0.5 if fit.level == "great" else 0) - side * 0.4 + rng.uniform(-0.3, 0.3))
        flags = {flag: fit.level != "poor" and week >= onset[flag] for flag in goal_flags}
        if fit.level == "ok" and week >= 4 and "hydration_improved" not in flags:
            flags["hydration_improved"] = rng.random() < 0.5
        notes = (
            "Skin looks about the same as last week."
            if not any(flags.values())
            else "Noticing: " + ", ".join(GOALS[f].lower() for f, on in flags.items() if on) + "."
        )
        if side >= 2:
            notes += " " + rng.choice(CLASH_EFFECTS.get(fit.clash or "wrong_type"))
        entry = ProgressEntry(
            journal=journal,
            week_number=week,
            progress_date=(start + timedelta(days=7 * (week - 1))).date(),
            skin_condition_notes=notes,
            application_notes=rng.choice(["", "Used it every evening.", "Skipped two days this week.", ""]),
            lifestyle_factors=rng.choice(
                ["", "", "Hot and humid week.", "Slept badly.", "Lots of sun at the weekend."]
            ),
            overall_satisfaction=satisfaction,
            skin_improvement=improvement,
            side_effects_severity=side,
            product_experience=_clamp(satisfaction + rng.uniform(-0.5, 0.8)),
            **{flag: bool(on) for flag, on in flags.items() if flag in IMPROVEMENT_FLAGS},
        )
        entry._demo_date = start + timedelta(days=7 * (week - 1), hours=rng.randint(8, 22))
        entries.append(entry)
    return entries


def seed_progress(*, scale, progress):
    """Some shoppers keep a weekly journal of a product they bought; the trend follows the fit."""
    now = timezone.now()
    analyze(User, Order, OrderItem, Product, ProductIngredient, ProgressJournal)
    shoppers = _shoppers()
    delivered = _delivered(shoppers)
    if not delivered:
        return "skipped progress journals: no delivered demo orders"
    catalog = _catalog({pid for lines in delivered.values() for pid in lines})
    existing = set(ProgressJournal.objects.filter(user_id__in=list(delivered)).values_list("user_id", "product_id"))
    journals, entries_of = [], {}
    for user_id, lines in delivered.items():
        user = shoppers[user_id]
        rng = _rng("progress", user.email)
        if rng.random() >= 0.15:  # some shoppers keep a journal
            continue
        candidates = sorted(
            (pid for pid in lines if catalog.get(pid) and catalog[pid].product_type in TRACKED_TYPES),
            key=lambda pid: catalog[pid].sku,
        )
        if not candidates:
            continue
        product = catalog[rng.choice(candidates)]
        if (user_id, product.id) in existing:
            continue
        fit = product_fit(skin_type=user.skin_type, concerns=user.skin_concerns, product=product)
        start = _delivery_date(rng, lines[product.id][1], now) + timedelta(days=rng.randint(0, 3))
        available = (now - start).days // 7 + 1
        if start >= now or available < 1:
            continue
        status, weeks = _journal_plan(rng, fit, available)
        goals = [GOALS[CONCERN_FLAGS[c]] for c in (user.skin_concerns or []) if c in CONCERN_FLAGS]
        journal = ProgressJournal(
            user_id=user_id,
            product_id=product.id,
            status=status,
            skin_type=user.skin_type or "",
            goals="; ".join(dict.fromkeys(goals)),
            baseline_notes=" ".join(BEFORE[c] for c in (user.skin_concerns or []) if c in BEFORE),
            is_public=rng.random() < 0.6,
            notes_status=ContentStatus.APPROVED,  # the demo's own text, not a shopper's
        )
        journal._demo_date = start
        entries = _entries(rng, journal, fit, product, weeks, start)
        if status != ProgressStatus.ONGOING:
            journal.ended_at = min(entries[-1]._demo_date + timedelta(days=1), now)
            journal.completion_notes = (
                "Reached my goals, moving on to maintenance."
                if status == ProgressStatus.COMPLETED
                else "Stopped: it did not agree with my skin."
                if fit.level == "poor"
                else "Stopped: no time to keep it up."
            )
        journals.append(journal)
        entries_of[len(journals) - 1] = entries
    if not journals:
        return "0 progress journals created"
    bulk_create_dated(ProgressJournal, journals)
    entries = [e for index, journal in enumerate(journals) for e in entries_of[index]]
    for entry in entries:
        entry.journal_id = entry.journal.pk
    bulk_create_dated(ProgressEntry, entries)
    _count_into(
        ProgressJournal, [j.pk for j in journals], entry_count=ProgressEntry.objects.filter(journal=OuterRef("pk"))
    )
    progress(len(journals), len(journals), "progress journals")
    by_status = Counter(j.status for j in journals)
    return (
        f"{len(journals)} progress journals ({by_status[ProgressStatus.COMPLETED]} completed, "
        f"{by_status[ProgressStatus.ABANDONED]} abandoned, {by_status[ProgressStatus.ONGOING]} ongoing), "
        f"{len(entries)} weekly entries"
    )
