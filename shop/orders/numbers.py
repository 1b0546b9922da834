import secrets

from django.utils import timezone

# Crockford base32 without I, L, O, U: easy to read out on the phone.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ATTEMPTS = 10


def _candidate():
    random_part = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"SK-{timezone.now():%y%m}-{random_part}"


def order_number_draw():
    """A number not checked against the database: checkout inserts it and draws again when the
    unique index refuses it (``services.order_place``), which spares a query on every order."""
    return _candidate()


def order_number_generate(*, taken=None):
    """``SK-2607-7KQ2M9XD``: year-month and 8 random characters (40 bits), never sequential.

    40 bits clash now and then in a busy month (birthday bound), so a number already used —
    in the database, or in ``taken`` when many orders are built before one bulk insert — is
    drawn again.
    """
    from shop.orders.models import Order

    for _ in range(ATTEMPTS):
        number = _candidate()
        if taken is not None:
            if number not in taken:
                taken.add(number)
                return number
        elif not Order.objects.filter(order_number=number).exists():
            return number
    raise RuntimeError("could not draw an unused order number")
