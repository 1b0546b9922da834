"""Page-number pagination for the public product lists with a cached total.

``COUNT(*)`` over the filtered set is the most expensive statement of a list page: the
broad filters (a skin type, a concern, a popular search word) match most of the 10k
products, so PostgreSQL counts them with a sequential scan (9 ms for ``skin_type=oily``,
30-45 ms for ``q=centella``), while the page itself is an index scan of 20 rows. The
total of a filter combination is shared by all its pages and page sizes, so it is cached
under the catalog list version (see ``shop.catalog.cache``).
"""

from django.core.cache import cache
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from shop.catalog import cache as catalog_cache
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


class CachedCountPagination(PagePagination):
    """``PagePagination`` whose total comes from ``view.list_count_key`` when the view sets it."""

    count_key = None

    def django_paginator_class(self, object_list, per_page):
        return CachedCountPaginator(object_list, per_page, count_key=self.count_key)

    def paginate_queryset(self, queryset, request, view=None):
        self.count_key = getattr(view, "list_count_key", None)
        return super().paginate_queryset(queryset, request, view)
