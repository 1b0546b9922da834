import secrets

from django.utils import timezone

# Crockford base32 without I, L, O, U: easy to read out on the phone.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def order_number_generate():
    """``SK-2607-7KQ2M9XD``: year-month and 8 random characters (40 bits), never sequential."""
    random_part = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"SK-{timezone.now():%y%m}-{random_part}"
