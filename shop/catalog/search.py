"""Product search.

PostgreSQL: full-text search on the generated, weighted ``search_vector`` column
(names A, brand/ingredients/type B, concerns C, descriptions D; GIN-indexed), ranked
with ``ts_rank``. When the words match nothing (typically a typo: "niacinimide",
"sunscrean"), each unknown word is replaced by the most similar word (pg_trgm
``similarity``) of a cached vocabulary built with ``ts_stat`` from the names and search
documents, and the indexed search runs again; only if that still finds nothing does a
sequential trigram word-similarity scan of the names run.

Khmer queries (no spaces between words) match Khmer names and descriptions by substring.

SQLite: every word must appear (case-insensitively) in the name, Khmer name, search
document or description; no typo tolerance.
"""

import re
import struct
import time

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField, TrigramWordSimilarity
from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, Case, FloatField, Q, Value, When
from django.db.models.expressions import RawSQL

from shop.catalog import cache as catalog_cache
from shop.catalog.models import Brand, Ingredient, Product, ProductStatus

MAX_QUERY_LENGTH = 100
TRIGRAM_THRESHOLD = 0.3
KHMER = re.compile(r"[\u1780-\u17FF]")
WORD = re.compile(r"\w+", re.UNICODE)

# The generated column added by migration 0002 (PostgreSQL only). Unqualified would be
# ambiguous once joins are added, so the table is named.
_SEARCH_VECTOR = SEARCH_VECTOR = 'catalog_product."search_vector"'


def normalise_query(q):
    return " ".join((q or "").split())[:MAX_QUERY_LENGTH]


def is_postgresql():
    return connection.vendor == "postgresql"


def _khmer_filter(q):
    return Q(name_km__contains=q) | Q(description_km__contains=q)


def search_products(queryset, q, *, total=None):
    """Filter ``queryset`` to products matching ``q`` and annotate ``search_rank``.

    Callers that want relevance order use ``.order_by("-search_rank", ...)``. On PostgreSQL the
    words are checked by counting the matches (the list needs that total anyway): with ``total``
    (a ``pagination.ListTotal``) the count is recorded there for the paginator instead of probing
    with ``EXISTS`` and counting again.
    """
    q = normalise_query(q)
    if not q:
        return queryset.annotate(search_rank=Value(0.0, output_field=FloatField()))
    if KHMER.search(q):
        return queryset.filter(_khmer_filter(q)).annotate(search_rank=Value(1.0, output_field=FloatField()))
    if is_postgresql():
        return _search_postgresql(queryset, q, total)
    return _search_fallback(queryset, q)


def _has_matches(matches, total):
    if total is None:
        return matches.exists()
    if total.value is not None:
        return total.value > 0
    count = matches.count()
    if count:  # no match is not recorded: the typo paths below decide the total
        total.record(count)
    return count > 0


def _search_postgresql(queryset, q, total=None):
    matches = _full_text(queryset, q)
    if _has_matches(matches, total):
        return matches
    corrected = correct_spelling(q)
    if corrected and corrected != q:
        matches = _full_text(queryset, corrected)
        if _has_matches(matches, total):
            return matches
    return typo_tolerant_search(queryset, q)


def search_candidates(queryset, q):
    """The searches ``search_products`` tries in turn, as querysets (lazily: a candidate is built
    only when the ones before it matched nothing), or None where there is one search only (no
    query, Khmer, SQLite). PostgreSQL: the words, the words with their spelling corrected (when
    that changes them), then the trigram similarity of the names. A paginator that reads the total
    with the page (``pagination.ProductIdsPaginator``) tries them itself: one statement per
    candidate instead of a ``COUNT`` per candidate and the page."""
    q = normalise_query(q)
    if not q or KHMER.search(q) or not is_postgresql():
        return None

    def candidates():
        yield _full_text(queryset, q)
        corrected = correct_spelling(q)
        if corrected and corrected != q:
            yield _full_text(queryset, corrected)
        yield typo_tolerant_search(queryset, q)

    return candidates()


def statement_candidates(statement, q):
    """``search_candidates`` for a ``list_ids.ProductIdsStatement``: copies of it, each with one of the
    searches (the same ones, in the same order, as lazily), or None where the ORM path searches."""
    q = normalise_query(q)
    if not q or KHMER.search(q) or not is_postgresql():
        return None

    def candidates():
        yield statement.copy().full_text(q)
        corrected = correct_spelling(q)
        if corrected and corrected != q:
            yield statement.copy().full_text(corrected)
        yield statement.copy().name_similar(q, TRIGRAM_THRESHOLD)

    return candidates()


def _full_text(queryset, q):
    query = SearchQuery(q, search_type="websearch", config="english")
    # A constant column name; the user's text is always a query parameter.
    vector = RawSQL(_SEARCH_VECTOR, [], output_field=SearchVectorField())  # noqa: S611
    matched = RawSQL(  # noqa: S611
        f"{_SEARCH_VECTOR} @@ websearch_to_tsquery('english'::regconfig, %s)", [q], output_field=BooleanField()
    )
    return queryset.filter(matched).annotate(search_rank=SearchRank(vector, query))


VOCABULARY_KEY = "catalog:search-vocabulary:v1"
VOCABULARY_TIMEOUT = 10 * 60
_VOCABULARY_SQL = r"""
    SELECT word FROM ts_stat(
        'SELECT to_tsvector(''simple'', name || '' '' || search_document) FROM catalog_product
         WHERE status = ''active'''
    ) WHERE length(word) >= 3 AND word ~ '^[[:alpha:]]+$'
"""
_CORRECTION_SQL = """
    SELECT DISTINCT ON (typed) typed, known
    FROM unnest(%s::text[]) AS typed CROSS JOIN unnest(%s::text[]) AS known
    WHERE similarity(typed, known) > %s
    ORDER BY typed, similarity(typed, known) DESC, known
"""


def search_vocabulary():
    """Distinct words of the active products' names, brands and ingredients (cached 10 min)."""
    words = cache.get(VOCABULARY_KEY)
    if words is None:
        with connection.cursor() as cursor:
            cursor.execute(_VOCABULARY_SQL)
            words = sorted(row[0] for row in cursor.fetchall())
        cache.set(VOCABULARY_KEY, words, VOCABULARY_TIMEOUT)
    return words


# The vocabulary's trigram index, kept by each process while the catalog list version stays the same
# (every product change replaces it) and for at most VOCABULARY_LOCAL_TIMEOUT seconds after reading
# the shared vocabulary (itself up to VOCABULARY_TIMEOUT old): a typo is corrected in Python without
# a round trip, and without shipping the whole vocabulary to PostgreSQL to compare it there.
VOCABULARY_LOCAL_TIMEOUT = 60
_vocabulary_memo = {"expires": 0.0, "version": None, "index": None}
_ASCII_WORD = re.compile(r"[a-z0-9]+")


def _trigrams(word):
    """pg_trgm's trigrams of one lower-case word: padded with two spaces before, one after."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _float4(value):
    """``value`` rounded to single precision, as pg_trgm's ``similarity`` returns it (``real``)."""
    return struct.unpack("f", struct.pack("f", value))[0]


class VocabularyIndex:
    """The vocabulary with each word's trigrams and, per trigram, the words that have it."""

    def __init__(self, words):
        self.words = words
        self.known = frozenset(words)
        self.trigrams = {}
        self.by_trigram = {}
        for word in words:
            grams = self.trigrams[word] = _trigrams(word)
            for gram in grams:
                self.by_trigram.setdefault(gram, []).append(word)

    def closest(self, typed):
        """pg_trgm's answer to ``_CORRECTION_SQL`` for one word: the known word most similar to
        ``typed`` (above ``TRIGRAM_THRESHOLD``; ties to the first in order), None when none is, or
        ``NotImplemented`` when only PostgreSQL can tell (not a plain ASCII word, or a tie with a
        word whose order depends on the database's collation)."""
        if not _ASCII_WORD.fullmatch(typed):
            return NotImplemented
        grams = _trigrams(typed)
        shared = {}
        for gram in grams:
            for word in self.by_trigram.get(gram, ()):
                shared[word] = shared.get(word, 0) + 1
        best, best_words = None, []
        for word, common in shared.items():
            score = _float4(common / (len(grams) + len(self.trigrams[word]) - common))
            if score <= TRIGRAM_THRESHOLD or (best is not None and score < best):
                continue
            if best is None or score > best:
                best, best_words = score, [word]
            else:
                best_words.append(word)
        if not best_words:
            return None
        if len(best_words) > 1 and not all(word.isascii() for word in best_words):
            return NotImplemented
        return min(best_words)


def _vocabulary_index():
    now, version = time.monotonic(), catalog_cache.product_list_version()
    memo = _vocabulary_memo
    if memo["index"] is None or now >= memo["expires"] or memo["version"] != version:
        memo.update(index=VocabularyIndex(search_vocabulary()), version=version, expires=now + VOCABULARY_LOCAL_TIMEOUT)
    return memo["index"]


def correct_spelling(q):
    """Replace each unknown word of ``q`` by the most trigram-similar known word."""
    words = [word.lower() for word in WORD.findall(q)][:8]
    index = _vocabulary_index()
    unknown = [word for word in words if word not in index.known and not word.isdigit()]
    if not unknown or not index.words:
        return q
    corrections = {}
    for word in unknown:
        closest = index.closest(word)
        if closest is NotImplemented:  # PostgreSQL decides, for every word as before
            with connection.cursor() as cursor:
                cursor.execute(_CORRECTION_SQL, [unknown, index.words, TRIGRAM_THRESHOLD])
                corrections = dict(cursor.fetchall())
            break
        if closest is not None:
            corrections[word] = closest
    return " ".join(corrections.get(word, word) for word in words)


def typo_tolerant_search(queryset, q):
    """Last resort: trigram word similarity of ``q`` to the product names (sequential scan)."""
    return queryset.annotate(search_rank=TrigramWordSimilarity(q, "name")).filter(search_rank__gt=TRIGRAM_THRESHOLD)


def _search_fallback(queryset, q):
    words = WORD.findall(q)[:8]
    if not words:  # only punctuation: matches nothing, as websearch_to_tsquery does on PostgreSQL
        return queryset.none().annotate(search_rank=Value(0.0, output_field=FloatField()))
    condition, in_name = Q(), Q()
    for word in words:
        condition &= (
            Q(name__icontains=word)
            | Q(search_document__icontains=word)
            | Q(short_description__icontains=word)
            | Q(description__icontains=word)
        )
        in_name &= Q(name__icontains=word)
    rank = Case(When(in_name, then=Value(1.0)), default=Value(0.5), output_field=FloatField())
    return queryset.filter(condition).annotate(search_rank=rank)


def suggestions(q, *, limit=5):
    """Type-ahead: product, brand and ingredient names starting with / containing ``q``.

    Prefix matches come first; on PostgreSQL a close spelling (trigram) is offered
    when nothing contains the text.
    """
    q = normalise_query(q)
    if not q:
        return {"products": [], "brands": [], "ingredients": []}
    name_field = "name_km" if KHMER.search(q) else "name"
    products = list(
        Product.objects.filter(status=ProductStatus.ACTIVE, **{f"{name_field}__icontains": q})
        .order_by("-sales_count", "id")
        .values("id", "slug", "name", "name_km")[:limit]
    )
    brands = list(Brand.objects.filter(is_active=True, name__icontains=q).values("id", "slug", "name")[:limit])
    ingredients = list(Ingredient.objects.filter(name__icontains=q).values("id", "slug", "name", "name_km")[:limit])
    if is_postgresql() and not (products or brands or ingredients):
        products = list(
            Product.objects.filter(status=ProductStatus.ACTIVE)
            .annotate(similarity=TrigramWordSimilarity(q, "name"))
            .filter(similarity__gt=TRIGRAM_THRESHOLD)
            .order_by("-similarity", "-sales_count")
            .values("id", "slug", "name", "name_km")[:limit]
        )
        ingredients = list(
            Ingredient.objects.annotate(similarity=TrigramWordSimilarity(q, "name"))
            .filter(similarity__gt=TRIGRAM_THRESHOLD)
            .order_by("-similarity")
            .values("id", "slug", "name", "name_km")[:limit]
        )
    return {"products": products, "brands": brands, "ingredients": ingredients}
