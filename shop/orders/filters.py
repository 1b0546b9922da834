import django_filters

from shop.orders.models import FulfillmentStatus, Order, OrderStatus, PaymentMethod, PaymentStatus
from shop.orders.selectors import order_search
from skincare.api.filters import UtcIsoDateTimeFilter, with_sort_alias

STAFF_ORDER_SORTS = {
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "-total": ("-total", "-id"),
    "total": ("total", "id"),
}


class StaffOrderFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices)
    payment_status = django_filters.ChoiceFilter(choices=PaymentStatus.choices)
    fulfillment_status = django_filters.ChoiceFilter(choices=FulfillmentStatus.choices)
    payment_method = django_filters.ChoiceFilter(choices=PaymentMethod.choices)
    user = django_filters.NumberFilter(field_name="user_id")
    created_from = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_to = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    min_total = django_filters.NumberFilter(field_name="total", lookup_expr="gte")
    max_total = django_filters.NumberFilter(field_name="total", lookup_expr="lte")
    coupon = django_filters.CharFilter(field_name="coupon_code", lookup_expr="iexact")
    q = django_filters.CharFilter(method="search", label="Order number, e-mail or tracking number")
    sort = django_filters.ChoiceFilter(choices=[(key, key) for key in STAFF_ORDER_SORTS], method="filter_sort")

    class Meta:
        model = Order
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(with_sort_alias(data), *args, **kwargs)

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*STAFF_ORDER_SORTS[value])

    def search(self, queryset, name, value):
        return order_search(queryset, value.strip())


class MyOrderFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices)

    class Meta:
        model = Order
        fields = []
