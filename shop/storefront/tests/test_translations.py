"""The Khmer catalogue: every collected string translated, and the committed .mo compiled from
the current .po (``make messages`` then ``make compilemessages`` after editing templates)."""

import gettext
import re

from django.conf import settings

PO = settings.BASE_DIR / "locale" / "km" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _entries():
    for block in PO.read_text(encoding="utf-8").split("\n\n")[1:]:
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if msgid is None:
            continue
        msgstr = re.search(r"^msgstr(?:\[0\])? ((?:\".*\"\n?)+)", block, re.M)
        flags = " ".join(line for line in block.split("\n") if line.startswith("#,"))
        yield (
            "".join(re.findall(r'"(.*)"', msgid.group(1))),
            "".join(re.findall(r'"(.*)"', msgstr.group(1))) if msgstr else "",
            "fuzzy" in flags,
        )


def test_every_string_has_a_khmer_translation():
    entries = list(_entries())

    assert len(entries) > 250
    assert [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy] == []


def test_the_committed_mo_is_compiled_from_the_po():
    with MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog

    compiled = {key[0] if isinstance(key, tuple) else key for key in catalogue if key}
    expected = {msgid.replace('\\"', '"').replace("\\n", "\n") for msgid, _, _ in _entries()}
    assert compiled == expected
    assert catalogue["Add to cart"] == "ដាក់ចូលកន្ត្រក"
