"""Query-string filters of the public product list. Bad values answer 400, never 500."""

import copy

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext
from django_filters.constants import EMPTY_VALUES
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field

from shop.accounts.models import SkinConcern
from shop.catalog import search, selectors
from shop.catalog.models import ProductSkinType, ProductType

BOOLEAN_CHOICES = [("true", "true"), ("false", "false"), ("1", "1"), ("0", "0")]

SORTS = {
    "newest": ("-published_at", "-id"),
    "price": ("price", "id"),
    "-price": ("-price", "-id"),
    "rating": ("-rating_avg", "-review_count", "-id"),
    "popularity": ("-sales_count", "-id"),
    "name": ("name", "id"),
    "relevance": ("-search_rank", "-sales_count", "-id"),
}
DEFAULT_SORT = "newest"


class MultipleValuesInput(forms.TextInput):
    """Every value of a repeated query parameter (``concern=acne&concern=pores``), not only the last."""

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)


class CommaSeparatedField(forms.Field):
    """``a&a=b`` repeated, or ``a,b,c`` (an extra), -> ["a", "b", "c"], each checked against ``choices``."""

    widget = MultipleValuesInput

    def __init__(self, *args, allowed=None, max_items=20, max_length=None, **kwargs):
        self.valid_choices = set(allowed) if allowed is not None else None
        self.max_items = max_items
        self.max_length = max_length
        super().__init__(*args, **kwargs)

    def clean(self, value):
        values = [value] if isinstance(value, str) else list(value or [])
        if self.max_length is not None and any(len(item) > self.max_length for item in values):
            raise forms.ValidationError(
                gettext("Each value may have at most %(max)d characters."), params={"max": self.max_length}
            )
        items = [item.strip() for raw in values for item in raw.split(",") if item.strip()]
        if len(items) > self.max_items:
            raise forms.ValidationError(gettext("At most %(max)d values."), params={"max": self.max_items})
        if self.valid_choices is not None:
            unknown = [item for item in items if item not in self.valid_choices]
            if unknown:
                # The user's text goes in params: django-filter %-formats the message.
                raise forms.ValidationError(
                    gettext("Unknown value(s): %(unknown)s. Expected: %(expected)s."),
                    code="invalid_choice",
                    params={"unknown": ", ".join(unknown), "expected": ", ".join(sorted(self.valid_choices))},
                )
        return list(dict.fromkeys(items))


class CommaSeparatedFilter(django_filters.Filter):
    field_class = CommaSeparatedField


class CategoryField(forms.CharField):
    """A category slug or id that names an active category; anything else is a 400, not an empty list."""

    def clean(self, value):
        value = super().clean(value)
        if value and selectors.category_get(value) is None:
            raise forms.ValidationError(gettext("Unknown category '%(value)s'."), params={"value": value})
        return value


class CategoryFilter(django_filters.CharFilter):
    field_class = CategoryField


def _boolean(value):
    return value in ("true", "1")


def _statement_category(statement, value):
    node = selectors.category_get(value)
    if node is None:
        return statement.nothing()
    return statement.category_in(selectors.category_descendant_ids(node["id"]))


# --- OpenAPI -----------------------------------------------------------------------------
# The multi-value filters take the parameter repeated (OpenAPI: style=form, explode=true; a
# comma-separated ``a,b,c`` value is accepted too),
# the boolean ones true/false (or 1/0). django-filter cannot tell drf-spectacular either, so
# the filters carry their item schema and ``PRODUCT_FILTER_PARAMETERS`` the list form.


def _comma_list(items, description):
    return {"type": "array", "items": items, "description": description}


BRAND_SCHEMA = _comma_list({"type": "string"}, "Brand slugs (repeat the parameter); any of them matches.")
CONCERN_SCHEMA = _comma_list(
    {"type": "string", "enum": list(SkinConcern.values)}, "Skin concerns (repeat the parameter); any of them matches."
)
INGREDIENT_SCHEMA = _comma_list({"type": "string"}, "Ingredient slugs (repeat the parameter); any of them matches.")
EXCLUDE_INGREDIENT_SCHEMA = _comma_list(
    {"type": "string"}, "Ingredient slugs (repeat the parameter); products containing any of them are left out."
)
BOOLEAN_SCHEMA = OpenApiTypes.BOOL  # "true"/"false" ("1"/"0" are accepted too)

PRODUCT_FILTER_PARAMETERS = [
    OpenApiParameter(
        name,
        {key: value for key, value in schema.items() if key != "description"},
        style="form",
        explode=True,
        description=schema["description"],
    )
    for name, schema in (
        ("brand", BRAND_SCHEMA),
        ("concern", CONCERN_SCHEMA),
        ("ingredient", INGREDIENT_SCHEMA),
        ("exclude_ingredient", EXCLUDE_INGREDIENT_SCHEMA),
    )
]


class SharedFields(dict):
    """A form's ``base_fields`` that its instances use as they are instead of deep-copying them (the
    filter form only validates: it is never rendered, and validating changes no field)."""

    def __deepcopy__(self, memo):
        return self


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", max_length=search.MAX_QUERY_LENGTH)
    category = CategoryFilter(method="filter_category", max_length=140)
    brand = extend_schema_field(BRAND_SCHEMA)(CommaSeparatedFilter(method="filter_brand", max_length=500))
    skin_type = django_filters.ChoiceFilter(choices=ProductSkinType.choices, method="filter_skin_type")
    concern = extend_schema_field(CONCERN_SCHEMA)(
        CommaSeparatedFilter(method="filter_concern", allowed=SkinConcern.values, max_length=500)
    )
    ingredient = extend_schema_field(INGREDIENT_SCHEMA)(
        CommaSeparatedFilter(method="filter_ingredient", max_length=500)
    )
    exclude_ingredient = extend_schema_field(EXCLUDE_INGREDIENT_SCHEMA)(
        CommaSeparatedFilter(method="filter_exclude_ingredient", max_length=500)
    )
    product_type = django_filters.ChoiceFilter(choices=ProductType.choices)
    min_price = django_filters.NumberFilter(field_name="price", lookup_expr="gte", min_value=0, max_digits=10)
    max_price = django_filters.NumberFilter(field_name="price", lookup_expr="lte", min_value=0, max_digits=10)
    min_rating = django_filters.NumberFilter(
        field_name="rating_avg", lookup_expr="gte", min_value=0, max_value=5, max_digits=3
    )
    in_stock = extend_schema_field(BOOLEAN_SCHEMA)(
        django_filters.TypedChoiceFilter(choices=BOOLEAN_CHOICES, method="filter_in_stock")
    )
    featured = extend_schema_field(BOOLEAN_SCHEMA)(
        django_filters.TypedChoiceFilter(choices=BOOLEAN_CHOICES, method="filter_featured")
    )
    sensitive_skin = extend_schema_field(BOOLEAN_SCHEMA)(
        django_filters.TypedChoiceFilter(choices=BOOLEAN_CHOICES, method="filter_sensitive")
    )
    sort = django_filters.ChoiceFilter(choices=[(key, key) for key in SORTS], method="filter_noop")

    class Meta:
        fields = []

    # Every list request built a FilterSet: a deep copy of its 15 filters, a new Form class and a form
    # field per filter (with its label). The filters are only read once built, so the instances share
    # them, and the form class is built once per FilterSet class.
    _form_classes = {}

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, total=None):
        self.total = total  # a pagination.ListTotal shared with the search, or None
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = self.base_filters

    def get_form_class(self):
        """The form of the filters given in the data: a filter that is not given cleans to its empty value,
        which filters nothing and is never an error (no filter is required), so only the given ones are
        cleaned (a form class per set of given names, shared; the full form when unbound or prefixed)."""
        form_class = self._full_form_class()
        if not self.is_bound or self.form_prefix is not None:
            return form_class
        given = frozenset(name for name in form_class.base_fields if name in self.data)
        key = (type(self), given)
        subset = self._form_classes.get(key)
        if subset is None:
            if len(self._form_classes) > self.FORM_CLASSES_MAX:
                self._form_classes.clear()
            subset = type(form_class.__name__, (form_class,), {})
            subset.base_fields = SharedFields(
                {name: field for name, field in form_class.base_fields.items() if name in given}
            )
            self._form_classes[key] = subset
        return subset

    FORM_CLASSES_MAX = 1024

    def _full_form_class(self):
        form_class = self._form_classes.get(type(self))
        if form_class is None:
            model = self.queryset.model
            fields = {}
            for name, filter_ in copy.deepcopy(self.base_filters).items():
                filter_.model = model
                fields[name] = filter_.field
            form_class = type(f"{type(self).__name__}Form", (self._meta.form,), fields)
            form_class.base_fields = SharedFields(form_class.base_fields)
            self._form_classes[type(self)] = form_class
        return form_class

    def filter_queryset_by_form(self, queryset):
        """``FilterSet.filter_queryset`` with the shared filters: a filter with a ``method`` is this
        FilterSet's method (not resolved through the filter's ``parent``, which shared filters lack)."""
        for name, value in self.form.cleaned_data.items():
            filter_ = self.filters[name]
            if filter_.method is not None:
                if value in EMPTY_VALUES:  # as django-filter's FilterMethod
                    continue
                queryset = getattr(self, filter_.method)(queryset, filter_.field_name, value)
            else:
                queryset = filter_.filter(queryset, value)
        return queryset

    def filter_noop(self, queryset, name, value):
        return queryset  # applied in filter_queryset() after the search annotation

    def filter_q(self, queryset, name, value):
        return queryset  # idem

    def filter_category(self, queryset, name, value):
        node = selectors.category_get(value)
        if node is None:
            return queryset.none()
        return queryset.filter(category_id__in=selectors.category_descendant_ids(node["id"]))

    def filter_brand(self, queryset, name, value):
        return queryset.filter(brand__slug__in=value) if value else queryset

    def filter_skin_type(self, queryset, name, value):
        return selectors.products_for_skin_type(queryset, value)

    def filter_concern(self, queryset, name, value):
        return queryset.filter(concerns__contains_any=value) if value else queryset

    def filter_ingredient(self, queryset, name, value):
        if not value:
            return queryset
        from django.db.models import Exists, OuterRef

        from shop.catalog.models import ProductIngredient

        matching = ProductIngredient.objects.filter(product=OuterRef("pk"), ingredient__slug__in=value)
        return queryset.filter(Exists(matching))

    def filter_exclude_ingredient(self, queryset, name, value):
        if not value:
            return queryset
        from django.db.models import Exists, OuterRef

        from shop.catalog.models import ProductIngredient

        containing = ProductIngredient.objects.filter(product=OuterRef("pk"), ingredient__slug__in=value)
        return queryset.filter(~Exists(containing))

    def filter_in_stock(self, queryset, name, value):
        from django.db.models import Q

        in_stock = Q(track_inventory=False) | Q(allow_backorders=True) | Q(stock_quantity__gt=0)
        return queryset.filter(in_stock) if _boolean(value) else queryset.exclude(in_stock)

    def filter_featured(self, queryset, name, value):
        return queryset.filter(is_featured=_boolean(value))

    def filter_sensitive(self, queryset, name, value):
        return queryset.filter(suitable_for_sensitive_skin=_boolean(value))

    # ``filter_statement``'s twins of the filters with a method (``value`` is the cleaned, non-empty value).
    STATEMENT_FILTERS = {
        "category": lambda statement, value: _statement_category(statement, value),
        "brand": lambda statement, value: statement.brand_in(value),
        "skin_type": lambda statement, value: statement.skin_type(value),
        "concern": lambda statement, value: statement.concern_any(value),
        "ingredient": lambda statement, value: statement.ingredient_any(value),
        "exclude_ingredient": lambda statement, value: statement.ingredient_none(value),
        "in_stock": lambda statement, value: statement.in_stock(_boolean(value)),
        "featured": lambda statement, value: statement.featured(_boolean(value)),
        "sensitive_skin": lambda statement, value: statement.sensitive_skin(_boolean(value)),
    }

    def filter_statement(self, statement):
        """``filter_queryset`` on a ``list_ids.ProductIdsStatement`` instead of a queryset: the same conditions,
        search and order, without building an ORM query (``tests/test_list_ids.py`` compares the two over a
        grid of filters), or None for a search the ORM path makes (SQLite, Khmer; no shared total)."""
        cleaned = self.form.cleaned_data
        for name, value in cleaned.items():
            if name in ("q", "sort") or value in EMPTY_VALUES:
                continue
            filter_ = self.filters[name]
            if filter_.method is not None:
                self.STATEMENT_FILTERS[name](statement, value)
            else:  # a plain lookup (django-filter's ``Filter.filter``; none is ``exclude`` or ``distinct``)
                statement.field(filter_.field_name, filter_.lookup_expr, value)
        q, order = self._search_and_order()
        if not q:
            return statement.order_by(*order)
        total = self._list_total()
        candidates = search.statement_candidates(statement, q) if total is not None else None
        if candidates is None:
            return None
        total.alternatives = (candidate.order_by(*order) for candidate in candidates)
        return next(total.alternatives)

    def _search_and_order(self):
        q = self.form.cleaned_data.get("q")
        sort = self.form.cleaned_data.get("sort") or ("relevance" if q else DEFAULT_SORT)
        if sort == "relevance" and not q:
            sort = DEFAULT_SORT
        return q, SORTS[sort]

    def _list_total(self):
        """The list's total (``ProductListApi.list_total_holder``, or the one this FilterSet was given): its
        paginator tries the search's candidates in turn, reading each one's total with its page; without
        one, search counts its matches to choose."""
        if self.total is not None:
            return self.total
        view = (getattr(self.request, "parser_context", None) or {}).get("view")
        return getattr(view, "list_total_holder", None)

    def filter_queryset(self, queryset):
        queryset = self.filter_queryset_by_form(queryset)
        q, order = self._search_and_order()
        if q:
            total = self._list_total()
            candidates = search.search_candidates(queryset, q) if total is not None else None
            if candidates is not None:
                total.alternatives = (candidate.order_by(*order) for candidate in candidates)
                return next(total.alternatives)
            queryset = search.search_products(queryset, q, total=total)
        return queryset.order_by(*order)
