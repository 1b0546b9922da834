"""Review widgets for the shop's pages.

The shop's templates load this library by name (``{% load reviews_widgets %}``), so the shop
composes review content without importing reviews (which sits above it). Charts are SVG drawn
here on the server: every bar carries its number as text, so they read without colour.
"""

import hashlib

from django import template
from django.core.cache import cache
from django.db.models import Avg, Count
from django.template.loader import get_template
from django.utils.translation import gettext_lazy as _

from reviews import cache as review_cache
from reviews.models import ContentStatus, Review
from reviews.selectors import (
    REVIEW_SORTS,
    journals_for_product_page,
    questions_for_product_page,
    review_summary_cached,
    reviews_for_product,
    timeline_summary,
)
from reviews.serializers import REPORT_REASONS
from shop.accounts.models import SkinType
from shop.catalog import cache as catalog_cache
from shop.catalog import selectors as catalog_selectors
from shop.catalog.media import media_url
from shop.catalog.serializers import product_list_item
from shop.storefront.fragments import CSRF_PLACEHOLDER, cached_html, rendered_fragment

register = template.Library()

BAR_WIDTH = 200  # px of a full bar in the SVG's own coordinates
ROW_HEIGHT = 28
BEST_RATED_LIMIT = 8
BEST_RATED_MIN_REVIEWS = 1

ASPECT_LABELS = {
    "effectiveness": _("Effectiveness"),
    "texture": _("Texture"),
    "scent": _("Scent"),
    "packaging": _("Packaging"),
    "value_for_money": _("Value for money"),
}


def _rows(items, maximum):
    """(label, value, shown text) -> rows with the y position and bar width of each."""
    rows = []
    for index, (label, value, text) in enumerate(items):
        width = round(BAR_WIDTH * value / maximum) if maximum else 0
        rows.append({"label": label, "value": value, "text": text, "y": index * ROW_HEIGHT, "width": width})
    return rows


def summary_chart_context(summary):
    histogram = summary["histogram"]
    count = summary["count"]
    histogram_rows = _rows(
        [(star, histogram[star], str(histogram[star])) for star in ("5", "4", "3", "2", "1")], max(count, 1)
    )
    aspects = [
        (ASPECT_LABELS[name], value, f"{value:.1f}")
        for name, value in summary["aspects"].items()
        if value is not None and name in ASPECT_LABELS
    ]
    return {
        "summary": summary,
        "histogram_rows": histogram_rows,
        "histogram_height": ROW_HEIGHT * len(histogram_rows),
        "aspect_rows": _rows(aspects, 5),
        "aspect_height": ROW_HEIGHT * len(aspects),
        "bar_width": BAR_WIDTH,
        "by_skin_type": [
            {"skin_type": key, "results_percent": round(stats["results_rate"] * 100), **stats}
            for key, stats in summary["by_skin_type"].items()
        ],
        "recommend_percent": round(summary["recommend_rate"] * 100),
    }


@register.simple_tag
def review_summary_chart(product_id):
    """Rating histogram, aspect scores and results by skin type of a product's approved reviews."""
    summary = review_summary_cached(product_id=product_id)
    return rendered_fragment("reviews/widgets/summary_chart.html", summary_chart_context(summary), inputs=summary)


def best_rated_for_skin_type(skin_type, *, limit=BEST_RATED_LIMIT):
    """Active products best rated by reviewers who had this skin type (cached like the catalog lists)."""
    key = catalog_cache.product_list_page_key(f"reviews:best-rated:{skin_type}", [])
    items = cache.get(key)
    if items is None:
        rows = list(
            Review.objects.filter(status=ContentStatus.APPROVED, skin_type_at_review=skin_type)
            .values("product_id")
            .annotate(average=Avg("rating"), reviews=Count("id"))
            .filter(reviews__gte=BEST_RATED_MIN_REVIEWS)
            .order_by("-average", "-reviews", "product_id")[: limit * 2]
        )
        ranked = {row["product_id"]: row for row in rows}
        products = catalog_selectors.product_list_queryset().filter(pk__in=list(ranked))
        by_id = {product.pk: product for product in products}
        items = []
        for product_id, row in ranked.items():
            if product_id in by_id and len(items) < limit:
                item = product_list_item(by_id[product_id])
                item["skin_type_rating"] = f"{row['average']:.1f}"
                item["skin_type_reviews"] = row["reviews"]
                items.append(item)
        cache.set(key, items, catalog_cache.LIST_TIMEOUT)
    return items


@register.inclusion_tag("reviews/widgets/best_rated.html")
def best_rated_for_skin_type_section(skin_type):
    return {"skin_type": skin_type, "products": best_rated_for_skin_type(skin_type)}


REVIEWS_SHOWN = 10
REPORT_REASON_LABELS = {
    "spam": _("Spam or advertising"),
    "offensive": _("Offensive"),
    "medical_claims": _("Medical claims"),
    "fake": _("Fake review"),
    "off_topic": _("Not about this product"),
    "privacy": _("Shares private information"),
    "other": _("Something else"),
}
REVIEW_SORT_LABELS = {
    "most_helpful": _("Most helpful"),
    "newest": _("Newest"),
    "highest": _("Highest rating"),
    "lowest": _("Lowest rating"),
}
REVIEW_FILTERS = ("rating", "skin_type", "with_photos", "verified")


def review_list_filters(params):
    """The product page's review filters from its query string (unknown values are ignored)."""
    rating = params.get("rating", "")
    skin_type = params.get("skin_type", "")
    return {
        "rating": [int(rating)] if rating in {"1", "2", "3", "4", "5"} else None,
        "skin_type": [skin_type] if skin_type in SkinType.values else None,
        "with_photos": True if params.get("with_photos") == "1" else None,
        "verified": True if params.get("verified") == "1" else None,
        "sort": params.get("review_sort") if params.get("review_sort") in REVIEW_SORTS else None,
    }


def page_review_rows(*, product_id, filters):
    """What the page shows of the first reviews matching ``filters``, as plain rows cached under the
    product's review-list version (``reviews.cache``: every change the list shows replaces it)."""
    digest = "page:" + hashlib.sha256(repr(sorted(filters.items())).encode()).hexdigest()[:32]
    rows, _product, version = review_cache.list_lookup(product_id=product_id, digest=digest)
    if rows is None:
        rows = [
            {
                **{field: getattr(review, field) for field in PAGE_REVIEW_FIELDS},
                "photos": [
                    {"url": media_url(item.file), "thumbnail": media_url(item.file, size="small")}
                    for item in review.media.all()
                ],
            }
            for review in reviews_for_product(product_id=product_id, **filters)[:REVIEWS_SHOWN]
        ]
        review_cache.list_store(product_id=product_id, digest=digest, version=version, entry=rows)
    return rows


PAGE_REVIEW_FIELDS = (
    "id", "user_id", "title", "rating", "skin_type_at_review", "is_verified_purchase", "review_text",
    "helpful_votes_count",
)  # fmt: skip


@register.simple_tag(takes_context=True)
def product_reviews(context, product_id):
    """The product's approved reviews (most helpful first), filterable by rating, skin type and photos,
    with their approved photos and the helpful-vote and report forms (``page_review_rows``: no query
    while the product's review list is unchanged, 2 when it changed)."""
    request = context["request"]
    user = context.get("user")
    filters = review_list_filters(request.GET)
    reviews = page_review_rows(product_id=product_id, filters=filters)
    data = {
        "request": request,
        "user": user,
        "reviews": reviews,
        "filters": filters,
        "filtered": any(value is not None for value in filters.values()),
        "skin_types": SkinType.choices,
        "sorts": {key: REVIEW_SORT_LABELS.get(key, key) for key in REVIEW_SORTS},
        "report_reasons": {key: REPORT_REASON_LABELS.get(key, key) for key in REPORT_REASONS},
    }
    template_name = "reviews/widgets/review_list.html"
    if user is not None and user.is_authenticated:
        # Vote and report forms (not on the shopper's own reviews) coming back to the full path; each
        # visitor's CSRF token is put in by ``rendered_fragment``.
        inputs = (request.get_full_path(), user.pk, filters, reviews)
        return rendered_fragment(template_name, data, inputs=inputs, request=request)
    # A guest's list shows the rows, the filters and the page's path (the forms' target) only.
    return rendered_fragment(template_name, data, inputs=(request.path, filters, reviews))


QUESTIONS_SHOWN = 5
SKIN_TYPE_CHOICES = SkinType.values


def _page_content_version(request):
    """``reviews.cache.page_content_version``, read once per request."""
    version = getattr(request, "_reviews_page_content_version", None)
    if version is None:
        version = review_cache.page_content_version()
        if request is not None:
            request._reviews_page_content_version = version
    return version


def _questions_shown(product_id):
    questions = questions_for_product_page(product_id=product_id, limit=QUESTIONS_SHOWN)
    for question in questions:
        question.answers_shown = sorted(
            question.approved_answers,
            key=lambda answer: (not answer.is_from_expert, not answer.is_verified_by_admin, -answer.helpful_votes),
        )
    return questions


@register.simple_tag(takes_context=True)
def product_questions(context, product_id):
    """Approved questions with their approved answers, expert answers first, and the form to ask one (it
    posts to the ask page, which shows any error next to the field). Rendered once per content version
    (``reviews.cache.page_content_version``): no query while no question, answer or vote changed; 2 when
    one did. Besides the rows, the HTML shows whether the visitor is signed in, their skin type (the
    form's default) and the page's path (the sign-in link); each visitor's CSRF token is put in."""
    request = context.get("request")
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    skin_type = getattr(user, "skin_type", "") or "" if signed_in else ""
    path = getattr(request, "path", "")
    template_name = "reviews/widgets/questions.html"

    def render():
        data = {
            "questions": _questions_shown(product_id),
            "product_id": product_id,
            "request": request,
            "user": user,
            "csrf_token": CSRF_PLACEHOLDER,
            "skin_type": skin_type,
            "skin_types": SKIN_TYPE_CHOICES,
        }
        return get_template(template_name).render(data)

    inputs = (product_id, _page_content_version(request), signed_in, skin_type, path)
    return cached_html(template_name, inputs, render, request=request, timeout=review_cache.LIST_TIMEOUT)


JOURNALS_SHOWN = 3


@register.simple_tag(takes_context=True)
def product_journals(context, product_id):
    """Shoppers' public progress journals of the product, most recently updated first: weeks recorded
    and satisfaction from the first to the latest week; goals only once moderation approved them.
    Rendered once per content version, like the questions (2 queries when it changed and there are
    journals, 1 when there are none)."""
    template_name = "reviews/widgets/journals.html"

    def render():
        journals = journals_for_product_page(product_id=product_id, limit=JOURNALS_SHOWN)
        for journal in journals:
            journal.summary = timeline_summary(list(journal.entries.all()))
            journal.goals_shown = journal.goals if journal.notes_status == ContentStatus.APPROVED else ""
        return get_template(template_name).render({"journals": journals})

    inputs = (product_id, _page_content_version(context.get("request")))
    return cached_html(template_name, inputs, render, timeout=review_cache.LIST_TIMEOUT)
