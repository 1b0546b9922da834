"""One spelling per e-mail address: every door folds an address the same way before it looks,
stores, or counts.

NFKC turns compatibility forms into their plain letters (fullwidth ``ｍ``, Kelvin ``K``) and
casefold does full Unicode case folding (``ſ`` -> ``s``, ``ß`` -> ``ss``). The result is what the
database stores, what login looks up (exact match), and what the failure limiter keys on, so a
variant of an address can never get a lookup that differs from its limiter budget.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator


def email_normalize(value):
    # Casefolding can leave text that is not NFKC (and NFKC text that is not folded); the pair
    # NFKC(casefold(NFKC(x))) is stable, so normalising twice changes nothing.
    text = unicodedata.normalize("NFKC", (value or "").strip())
    return unicodedata.normalize("NFKC", text.casefold()).strip()


_email_validator = EmailValidator()


def email_validate(value):
    """Django's e-mail check, plus: the part before ``@`` is ASCII.

    Django's pattern is case-insensitive, and Python's case-insensitive matching lets ``ı``
    (dotless i), ``İ``, ``ſ`` and the Kelvin sign pass as ``i``/``s``/``k``. Folding removes all but
    the dotless i, which would otherwise make a look-alike of an existing address.
    """
    _email_validator(value)
    local = value.rpartition("@")[0]
    if not local.isascii():
        raise ValidationError(_email_validator.message, code=_email_validator.code, params={"value": value})
