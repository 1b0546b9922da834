from django.db.models import Count, Q

from shop.accounts.models import Address, Role, User


def user_get(*, pk):
    return User.objects.select_related("profile_picture").get(pk=pk)


def address_list(*, user):
    return Address.objects.filter(user=user).order_by("-is_default", "-created_at", "-pk")


def new_customer_counts(*, since: dict) -> dict:
    """Customers who signed up at or after each moment of ``since`` (``{name: datetime}``), one query."""
    return User.objects.filter(role=Role.CUSTOMER).aggregate(
        **{name: Count("id", filter=Q(date_joined__gte=moment)) for name, moment in since.items()}
    )


def customers_for_staff():
    return User.objects.select_related("profile_picture").order_by("-date_joined", "-pk")


def customer_search(queryset, term):
    return queryset.filter(Q(email__icontains=term) | Q(first_name__icontains=term) | Q(last_name__icontains=term))
