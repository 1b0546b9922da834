"""The committed Khmer catalogues of the apps: every ``.mo`` is compiled from its ``.po``, and a string that
several catalogues translate reads the same in each."""

import ast
import gettext
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

APP_CATALOGUES = sorted(
    path
    for path in Path(settings.BASE_DIR).glob("*/**/locale/km/LC_MESSAGES/django.po")
    if ".venv" not in path.parts and "node_modules" not in path.parts
)


PROJECT_CATALOGUE = Path(settings.BASE_DIR) / "locale" / "km" / "LC_MESSAGES" / "django.po"


def po_entries(path):
    """``{msgid: msgstr}`` of the singular, non-empty entries of a ``.po`` file."""
    entries, current, field = {}, {}, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if line.startswith(("msgid ", "msgstr ", "msgid_plural ", "msgstr[")):
            keyword, _, literal = line.partition(" ")
            if keyword == "msgid" and "msgstr" in current:
                entries[current["msgid"]] = current
                current = {}
            field = keyword
            current[field] = ast.literal_eval(literal)
        elif line.startswith('"') and field:
            current[field] += ast.literal_eval(line)
    if "msgstr" in current:
        entries[current["msgid"]] = current
    return {
        entry["msgid"]: entry["msgstr"]
        for entry in entries.values()
        if entry["msgid"] and entry["msgstr"] and "msgid_plural" not in entry
    }


def test_there_are_app_catalogues():
    assert {path.relative_to(settings.BASE_DIR).parts[0] for path in APP_CATALOGUES} >= {"skincare", "shop"}


@pytest.mark.parametrize("po", APP_CATALOGUES, ids=lambda path: str(path.relative_to(settings.BASE_DIR)))
def test_each_compiled_catalogue_matches_its_source(po):
    with open(po.with_suffix(".mo"), "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    entries = po_entries(po)
    assert entries
    assert {msgid: catalogue.gettext(msgid) for msgid in entries} == entries


def test_catalogues_that_share_a_msgid_translate_it_alike():
    """The project catalogue (``LOCALE_PATHS``) hides an app's translation of the same msgid, and the first
    installed app hides the later ones': one msgid must read the same whichever catalogue serves it."""
    wordings = defaultdict(dict)
    for po in [PROJECT_CATALOGUE, *APP_CATALOGUES]:
        for msgid, msgstr in po_entries(po).items():
            wordings[msgid][str(po.relative_to(settings.BASE_DIR))] = msgstr
    assert {msgid: found for msgid, found in wordings.items() if len(set(found.values())) > 1} == {}


def test_django_serves_the_app_translations():
    with translation.override("km"):
        assert translation.gettext("Product not found.") == "រកមិនឃើញផលិតផលនេះទេ។"
        assert translation.gettext("This field is required.") == "ត្រូវតែបំពេញវាលនេះ។"
    with translation.override("en"):
        assert translation.gettext("Product not found.") == "Product not found."
