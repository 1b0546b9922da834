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
