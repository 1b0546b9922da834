"""Public catalog API: reads for everyone (AllowAny); drafts are never shown to shoppers."""

import contextlib
import uuid

from django.core.cache import cache
from django.utils.translation import gettext as _
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.catalog import cache as catalog_cache
from shop.catalog import error_codes, listing, search, selectors, services, views_counter
from shop.catalog.error_codes import CatalogErrorCode
from shop.catalog.filters import PRODUCT_FILTER_PARAMETERS, ProductFilter
from shop.catalog.list_ids import ProductIdsStatement
from shop.catalog.models import Product, ProductSkinType
from shop.catalog.pagination import CachedCountPagination, ListTotal
from shop.catalog.serializers import (
    CategoryNodeSerializer,
    ImageSerializer,
    ProductDetailOutputSerializer,
    ProductListOutputSerializer,
    category_nodes_absolute,
    product_detail_absolute,
    product_list_item,
    product_list_item_absolute,
)
from skincare import events
from skincare.api import cache_prefetch
from skincare.api.conditional import (
    FIRST_SEEN_TIMEOUT,
    conditional_response,
    content_entry,
    first_seen_key,
    render_answer,
    rendered_entry,
    rendered_key_of_query,
    rendered_response,
)
from skincare.api.content_language import content_language_is_khmer
from skincare.api.error_codes import ApiErrorCode
from skincare.api.error_docs import raises
from skincare.api.output import output
from skincare.api.pagination import PagePagination, paginated_response
from skincare.api.permissions import user_has_permission
from skincare.errors import ApplicationError


def product_not_found():
    return ApplicationError(error_codes.PRODUCT_NOT_FOUND, _("Product not found."))


PAGING_PARAMS = ("page", "per_page")


def _page_params(request):
    """The query parameters that change a paged answer (for its ``Last-Modified`` resource)."""
    return [(name, request.query_params.getlist(name)) for name in PAGING_PARAMS]


@extend_schema_view(get=extend_schema(parameters=PRODUCT_FILTER_PARAMETERS))
class ProductListApi(generics.ListAPIView):
    """Active products with filters, sorting (``sort``) and search (``q``).

    Every shopper (and staff: the list only ever shows active products) gets the same page
    for the same path and parameters, so whole pages are cached (from the second time a URL
    is answered), and the total separately for all pages of a filter combination; both under
    the catalog list version, which every product, category and brand change replaces
    (``shop.catalog.cache``).
    """

    error_codes = {"get": (ApiErrorCode.NOT_FOUND,)}

    permission_classes = [AllowAny]
    serializer_class = ProductListOutputSerializer  # the schema; rows are built by product_list_item
    filterset_class = ProductFilter
    pagination_class = CachedCountPagination
    list_total_holder = None  # a ListTotal, shared by the search and the paginator

    def get_queryset(self):
        return selectors.product_listed_queryset()  # ids only: the items come from ``listing``

    def ids_statement(self):
        """The view's products (``get_queryset``) as a ``list_ids.ProductIdsStatement`` (None: the ORM path)."""
        return ProductIdsStatement()

    def page_ids(self, request):
        """The page's product ids, in one statement when the total is not known (``list_total_holder``).
        They come from the view's ``ids_statement`` and the filters' ``filter_statement``: the ORM's statement
        without building it; a search on SQLite or in Khmer takes the ORM path (``filter_queryset``)."""
        statement = self.ids_statement()  # a bad path raises first, as get_queryset does
        if statement is not None:
            # As DjangoFilterBackend.filter_queryset: the same form, the same 400 for bad values.
            filterset = self.filterset_class(data=request.query_params, queryset=Product.objects.all(), request=request)
            if not filterset.is_valid():
                raise translate_validation(filterset.errors)
            statement = filterset.filter_statement(statement)
        if statement is None:
            return self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.paginate_queryset(statement)

    def cache_params(self):
        """The parameters that can change the answer: the filters' and paging's (others are ignored)."""
        known = set(self.filterset_class.base_filters) | set(PAGING_PARAMS)
        query = self.request.query_params
        return [(name, query.getlist(name)) for name in query if name in known]

    list_total = None  # the answer's meta.total (read by search for its analytics event)
    _response_key = None

    def response_key(self, request):
        if self._response_key is None:
            self._response_key = rendered_key_of_query(
                request, "catalog:list-response", lambda: [sorted(self.cache_params())], scope=type(self)
            )
        return self._response_key

    def cache_prefetch_keys(self, request):
        # Read by the throttle in its own round trip to Redis (skincare.api.cache_prefetch).
        return [catalog_cache.LIST_VERSION_KEY, self.response_key(request)]

    def list(self, request, *args, **kwargs):
        # One cache read on a hit: the list version and the rendered answer (which records the
        # version it was built under) together. On a miss one more: the page's ids (any origin or
        # language), the filters' total, each recording the version it was built under, and the
        # answer's Last-Modified record (not read with the answer: a hit would fetch them for
        # nothing); then one for the items' JSON (``listing.product_list_fragments``) and one write.
        response_key = self.response_key(request)
        found = cache_prefetch.get_many(request, [catalog_cache.LIST_VERSION_KEY, response_key])
        version = found.get(catalog_cache.LIST_VERSION_KEY) or catalog_cache.product_list_version()
        entry = found.get(response_key)
        if entry is not None and entry[0][0] == version:
            self.list_total = entry[0][1]
            return rendered_response(request, entry)
        params = self.cache_params()
        page_key = catalog_cache.product_list_entry_key("ids", request.path, params)
        filters = [(name, values) for name, values in params if name not in PAGING_PARAMS]
        count_key = catalog_cache.product_list_entry_key("count", request.path, filters)
        seen_key = first_seen_key(request, params)
        found = cache.get_many([page_key, count_key, seen_key])
        # The page and the answer are kept from the second time this URL is answered (its Last-Modified
        # record says it was answered before): most URLs of a cold page or search are asked once, and their
        # entries (the answer is ~22 KB for 20 items) were written for nothing. The total is kept at once
        # (every page shares it).
        again = found.get(seen_key) is not None
        store = {}
        page = found.get(page_key)
        if page is not None and page[0] == version:
            _, page_ids, self.list_total, envelope = page
        else:
            counted = found.get(count_key)
            self.list_total_holder = ListTotal(counted[1] if counted is not None and counted[0] == version else None)
            with catalog_cache.at_list_version(version):  # categories and the search vocabulary: no read
                page_ids = self.page_ids(request)  # bad filters raise: never cached
            body = self.get_paginated_response([]).data
            self.list_total = body["meta"]["total"]
            envelope = tuple(render_answer(self, body).split(b'"data":[]'))  # the items go between
            if again:
                store[page_key] = (version, page_ids, self.list_total, envelope)
            if self.list_total_holder.counted:
                store[count_key] = (version, self.list_total_holder.value)
        items_store = {}
        fragments = listing.product_list_fragments(page_ids, version=version, store=items_store)
        khmer = content_language_is_khmer() and getattr(self, "localized_content", True)  # as the renderer
        items = listing.product_list_fragments_joined(fragments, request=request, khmer=khmer)
        content = b"".join((envelope[0], b'"data":[', items, b"]", envelope[1]))
        entry, seen = content_entry(
            request, content, first_seen_record=found.get(seen_key), tag=(version, self.list_total)
        )
        if again:
            store[response_key] = entry
        catalog_cache.set_many_expiring(
            {
                catalog_cache.LIST_TIMEOUT: store,
                catalog_cache.ITEM_TIMEOUT: items_store,
                FIRST_SEEN_TIMEOUT: {seen_key: seen} if seen else {},
            }
        )
        return rendered_response(request, entry)


@extend_schema_view(
    get=extend_schema(
        parameters=[
            *PRODUCT_FILTER_PARAMETERS,
            OpenApiParameter("q", str, required=True, description="What to search for."),
        ]
    )
)
class ProductSearchApi(ProductListApi):
    """Full-text search (typo-tolerant on PostgreSQL), by relevance unless ``sort`` is given."""

    error_codes = {"get": (ApiErrorCode.NOT_FOUND, CatalogErrorCode.SEARCH_QUERY_REQUIRED)}

    # The parameters a search event records as its filters, in the order of the query string (as cache_params).
    event_filters = frozenset(ProductFilter.base_filters).difference(("q", *PAGING_PARAMS))

    def list(self, request, *args, **kwargs):
        if not search.normalise_query(request.query_params.get("q")):
            raise ApplicationError(
                error_codes.SEARCH_QUERY_REQUIRED,
                _("Type something to search."),
                errors={"q": [_("This field is required.")]},
            )
        response = super().list(request, *args, **kwargs)
        query = request.query_params
        if query.get("page", "1") == "1" and response.status_code == 200:  # not a 304 revalidation
            search_id = uuid.uuid4().hex
            events.search_performed.send(
                sender=Product,
                request=request,
                search_id=search_id,
                query=query["q"],
                filters={name: query.getlist(name) for name in query if name in self.event_filters},
                results_count=self.list_total,
            )
            response["X-Search-Id"] = search_id  # clients send it back with clicks and cart adds
        return response


class ProductFeaturedApi(ProductListApi):
    def get_queryset(self):
        return selectors.product_listed_queryset().filter(is_featured=True)

    def ids_statement(self):
        return ProductIdsStatement().featured(True)


@extend_schema_view(
    get=extend_schema(
        parameters=[
            *PRODUCT_FILTER_PARAMETERS,
            OpenApiParameter("skin_type", str, OpenApiParameter.PATH, enum=ProductSkinType.values),
        ]
    )
)
class ProductBySkinTypeApi(ProductListApi):
    error_codes = {"get": (CatalogErrorCode.INVALID_SKIN_TYPE,)}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no URL kwargs
            return Product.objects.none()
        return selectors.products_for_skin_type(selectors.product_listed_queryset(), self.skin_type())

    def ids_statement(self):
        return ProductIdsStatement().skin_type(self.skin_type())

    def skin_type(self):
        skin_type = self.kwargs["skin_type"]
        if skin_type not in ProductSkinType.values:
            raise ApplicationError(
                error_codes.INVALID_SKIN_TYPE,
                _("Unknown skin type. Expected one of: %(types)s.") % {"types": ", ".join(ProductSkinType.values)},
            )
        return skin_type


@extend_schema_view(
    get=extend_schema(
        parameters=[
            *PRODUCT_FILTER_PARAMETERS,
            OpenApiParameter("slug", str, OpenApiParameter.PATH, description="Category slug or id."),
        ]
    )
)
class CategoryProductsApi(ProductListApi):
    error_codes = {"get": (CatalogErrorCode.CATEGORY_NOT_FOUND,)}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no URL kwargs
            return Product.objects.none()
        return selectors.product_listed_queryset().filter(category_id__in=self.category_ids())

    def ids_statement(self):
        return ProductIdsStatement().category_in(self.category_ids())

    def category_ids(self):
        """The path's category and its descendants (404 for an unknown or inactive one)."""
        node = selectors.category_get(self.kwargs["slug"])
        if node is None:
            raise ApplicationError(error_codes.CATEGORY_NOT_FOUND, _("Category not found."))
        return selectors.category_descendant_ids(node["id"])


def _suggestion_fields(**extra):
    return {"id": serializers.IntegerField(), "slug": serializers.CharField(), "name": serializers.CharField(), **extra}


class ProductSuggestionsApi(APIView):
    """Type-ahead names; products come with their primary image (one more query)."""

    permission_classes = [AllowAny]

    @raises()
    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True)],
        responses=inline_serializer(
            "ProductSuggestions",
            {
                "products": inline_serializer(
                    "ProductSuggestion",
                    _suggestion_fields(name_km=serializers.CharField(), image=ImageSerializer(allow_null=True)),
                    many=True,
                ),
                "brands": inline_serializer("BrandSuggestion", _suggestion_fields(), many=True),
                "ingredients": inline_serializer(
                    "IngredientSuggestion", _suggestion_fields(name_km=serializers.CharField()), many=True
                ),
            },
        ),
    )
    def get(self, request):
        found = search.suggestions(request.query_params.get("q", ""))
        images = selectors.primary_media_by_product([product["id"] for product in found["products"]])
        products = [
            {
                **product,
                "image": output(ImageSerializer, images[product["id"]], request) if product["id"] in images else None,
            }
            for product in found["products"]
        ]
        return Response({**found, "products": products})


class ProductDetailApi(APIView):
    """A product by slug or id. The shopper payload is cached; staff also see drafts."""

    permission_classes = [AllowAny]

    def cache_prefetch_keys(self, request):
        # The product's rendered answers, read by the throttle in its round trip to Redis (skincare.api.cache_prefetch).
        product_id = _known_product_id(str(self.kwargs["lookup"]))
        return [] if product_id is None else [catalog_cache.product_rendered_key(product_id)]

    def cache_prefetch_incr(self, request):
        # The view count, made in the same round trip while the product's rendered answers are cached
        # (skincare.api.cache_prefetch.JoinedIncr); staff views are not counted.
        product_id = _known_product_id(str(self.kwargs["lookup"]))
        if request.method not in ("GET", "HEAD") or product_id is None:
            return None
        if user_has_permission(request.user, "catalog.view_product"):
            return None
        key = catalog_cache.product_rendered_key(product_id)
        return cache_prefetch.JoinedIncr(key=views_counter.view_key(product_id), guard_key=key)

    @raises(CatalogErrorCode.PRODUCT_NOT_FOUND)
    @extend_schema(responses=ProductDetailOutputSerializer)
    def get(self, request, lookup):
        if user_has_permission(request.user, "catalog.view_product"):
            product = selectors.product_get(lookup, include_drafts=True)
            if product is None:
                raise product_not_found()
            payload = ProductDetailOutputSerializer(product, context={"request": request}).data
            return conditional_response(request, payload)
        lookup = str(lookup)
        product_id, entries, context = _rendered_detail(request, lookup)
        entry = entries.get(context)
        if entry is None or not (lookup.isdigit() or entry[0] == lookup):
            payload = public_product_payload(lookup)
            product_id = payload["id"]
            _SLUG_IDS[payload["slug"]] = product_id
            data = product_detail_absolute(payload, request)
            entry = rendered_entry(request, self, data, enveloped=False, tag=payload["slug"])
            entries = {**entries, context: entry}
            cache.set(catalog_cache.product_rendered_key(product_id), entries, catalog_cache.TIMEOUT)
        counted = cache_prefetch.incremented(request)
        if counted != views_counter.view_key(product_id):
            if counted is not None:  # another product had this slug when its entries were read: not its view
                with contextlib.suppress(ValueError):
                    cache.decr(counted)
            services.product_record_view(product_id=product_id)
        return rendered_response(request, entry)


# slug -> product id of public details served by this process (slugs rarely change; a renamed
# product's old slug is caught by the slug recorded in the rendered entry). Bounded.
_SLUG_IDS = {}
_SLUG_IDS_MAX = 20_000


def _rendered_detail(request, lookup):
    """(product id or None, the product's cached rendered answers, this request's key among them):
    one cache read when the product is known. The entries are dropped with the product's cached
    payload (``catalog_cache.invalidate_products``)."""
    if len(_SLUG_IDS) > _SLUG_IDS_MAX:
        _SLUG_IDS.clear()
    product_id = _known_product_id(lookup)
    context = rendered_key_of_query(request, "detail", tuple)  # rendered_key(request, "detail"), remembered
    if product_id is None:
        return None, {}, context
    key = catalog_cache.product_rendered_key(product_id)
    return product_id, cache_prefetch.get_many(request, [key]).get(key) or {}, context


def _known_product_id(lookup):
    return int(lookup) if lookup.isdigit() else _SLUG_IDS.get(lookup)


def public_product_payload(lookup):
    """The cached public detail payload for a slug or id (404 for drafts and unknowns)."""
    lookup = str(lookup)
    product_id = lookup if lookup.isdigit() else cache.get(catalog_cache.product_slug_key(lookup))
    if product_id is not None:
        payload = cache.get(catalog_cache.product_detail_key(product_id))
        if payload is not None and (lookup.isdigit() or payload["slug"] == lookup):
            return payload
    product = selectors.product_get(lookup)
    if product is None:
        raise product_not_found()
    payload = dict(ProductDetailOutputSerializer(product).data)
    cache.set_many(
        {
            catalog_cache.product_detail_key(product.pk): payload,
            catalog_cache.product_slug_key(product.slug): product.pk,
        },
        catalog_cache.TIMEOUT,
    )
    return payload


class ProductRelatedApi(APIView):
    permission_classes = [AllowAny]
    pagination_class = PagePagination

    @raises(CatalogErrorCode.PRODUCT_NOT_FOUND)
    @extend_schema(responses=ProductListOutputSerializer(many=True))
    def get(self, request, product_id):
        product = selectors.product_get(product_id)
        if product is None:
            raise product_not_found()
        related = selectors.product_related(product)
        return paginated_response(
            self, request, [product_list_item_absolute(product_list_item(item), request) for item in related]
        )


class CategoryTreeApi(APIView):
    """Root categories, paged, each with its subtree."""

    permission_classes = [AllowAny]
    pagination_class = PagePagination

    @raises()
    @extend_schema(responses=CategoryNodeSerializer(many=True))
    def get(self, request):
        page = paginated_response(self, request, category_nodes_absolute(selectors.category_tree(), request))
        return conditional_response(request, page.data, params=_page_params(request), enveloped=True)


class BrandListApi(APIView):
    permission_classes = [AllowAny]
    pagination_class = PagePagination

    @raises()
    @extend_schema(
        responses=inline_serializer(
            "BrandOutput",
            {
                "id": serializers.IntegerField(),
                "name": serializers.CharField(),
                "slug": serializers.CharField(),
                "country": serializers.CharField(),
                "description": serializers.CharField(),
            },
            many=True,
        )
    )
    def get(self, request):
        page = paginated_response(self, request, selectors.brand_list())
        return conditional_response(request, page.data, params=_page_params(request), enveloped=True)
