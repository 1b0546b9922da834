"""Text a client sends that PostgreSQL cannot store: NUL characters and lone surrogates.

psycopg refuses both (``DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes``,
``UnicodeEncodeError: surrogates not allowed``), so each would be a 500 once it reached a query.
The messages are DRF's own (``CharField`` refuses the same characters).
"""

import re

_SURROGATE = re.compile("[\ud800-\udfff]")


def bad_text_reason(value):
    """Why ``value`` cannot be stored, or ``None``."""
    if "\x00" in value:
        return "Null characters are not allowed."
    match = _SURROGATE.search(value)
    if match:
        return f"Surrogate characters are not allowed: U+{ord(match.group()):X}."
    return None
