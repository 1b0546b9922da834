from shop.accounts.models import Address, User


def user_get(*, pk):
    return User.objects.select_related("profile_picture").get(pk=pk)


def address_list(*, user):
    return Address.objects.filter(user=user).order_by("-is_default", "-created_at", "-pk")
