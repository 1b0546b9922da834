"""Page-number pagination for the public product lists with a cached total.

``COUNT(*)`` over the filtered set is the most expensive statement of a list page: the
broad filters (a skin type, a concern, a popular search word) match most of the 10k
products, so PostgreSQL counts them with a sequential scan (9 ms for ``skin_type=oily``,
30-45 ms for ``q=centella``), while the page itself is an index scan of 20 rows. The
total of a filter combination is shared by all its pages and page sizes, so it is cached
under the catalog list version (see ``shop.catalog.cache``).
"""

from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Window
from django.utils.functional import cached_property

from shop.catalog import cache as catalog_cache
from shop.catalog.list_ids import ProductIdsStatement
from skincare.api.pagination import PagePagination


class CachedCountPaginator(Paginator):
    def __init__(self, object_list, per_page, *, count_key=None):
        super().__init__(object_list, per_page)
        self.count_key = count_key

    @cached_property
    def count(self):
        if self.count_key is None:
            return Paginator.count.func(self)
        total = cache.get(self.count_key)
        if total is None:
            total = Paginator.count.func(self)
            cache.set(self.count_key, total, catalog_cache.LIST_TIMEOUT)
        return total


class ListTotal:
    """The total of one filter combination, shared by the search (which checks its words with it) and
    the paginator, so it is counted at most once. ``value`` is the known total (read from the cache by
    the caller with the page) or None; ``counted`` says it was counted here (for the caller to store)."""

    def __init__(self, value=None):
        self.value = value
        self.counted = False
        # The search's other candidates (ordered querysets) when the first matches nothing:
        # ``search.search_candidates``, set by the filter.
        self.alternatives = None

    def record(self, value):
        self.value, self.counted = value, True


class ProductIdsPaginator(Paginator):
    """Pages of product *ids* (the items come from ``listing.product_list_items``) of a queryset or a
    ``list_ids.ProductIdsStatement``, with the total
    read along with the page when it is not known: ``COUNT(*) OVER ()`` on the page query, one
    statement instead of a ``COUNT`` and the page. Only a page past the end (no rows) counts apart,
    to tell an empty list from a page out of range (the same 404 as ``Paginator``)."""

    def __init__(self, object_list, per_page, *, total=None):
        super().__init__(object_list, per_page)
        self.total = total if total is not None else ListTotal()

    @cached_property
    def count(self):
        if self.total.value is None:
            self.total.record(Paginator.count.func(self))
        return self.total.value

    def page(self, number):
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        bottom, top = (number - 1) * self.per_page, number * self.per_page
        if self.total.value is not None:
            number = self.validate_number(number)
            while True:
                ids = self._page_ids(bottom, top)
                # A known total of a search came from the candidate that matched: the ones before it have no rows.
                if ids or not self._next_candidate():
                    return self._get_page(ids, number, self)
        while True:
            rows = self._page_rows_with_total(bottom, top)
            if rows:
                self.total.record(rows[0][1])
                break
            # No rows: no match at all (the next candidate, if any, is tried), or a page past the end.
            matched = 0 if number == 1 else self.object_list.count()
            if matched or not self._next_candidate():
                self.total.record(matched)
                break
        number = self.validate_number(number)  # past the end: raises
        return self._get_page([pk for pk, _ in rows], number, self)

    def _page_ids(self, bottom, top):
        if isinstance(self.object_list, ProductIdsStatement):
            return self.object_list.page_ids(bottom, top)
        return list(self.object_list.prefetch_related(None).values_list("pk", flat=True)[bottom:top])

    def _page_rows_with_total(self, bottom, top):
        if isinstance(self.object_list, ProductIdsStatement):
            return self.object_list.page_rows_with_total(bottom, top)
        queryset = self.object_list.prefetch_related(None)
        return list(queryset.annotate(list_total=Window(Count("pk"))).values_list("pk", "list_total")[bottom:top])

    def _next_candidate(self):
        candidate = next(self.total.alternatives, None) if self.total.alternatives is not None else None
        if candidate is None:
            return False
        self.object_list = candidate
        return True

    def get_page(self, number):
        """``Paginator.get_page`` (the first page for a bad number, the last past the end) without
        counting first."""
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.num_pages)


class CachedCountPagination(PagePagination):
    """``PagePagination`` of product ids (``ProductIdsPaginator``) whose total is ``view.list_total``
    (a ``ListTotal``) when the view sets it."""

    total = None

    def django_paginator_class(self, object_list, per_page):
        return ProductIdsPaginator(object_list, per_page, total=self.total)

    def paginate_queryset(self, queryset, request, view=None):
        self.total = getattr(view, "list_total_holder", None)
        return super().paginate_queryset(queryset, request, view)
