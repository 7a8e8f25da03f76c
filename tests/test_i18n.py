"""Every user-facing string exists in Dutch and English."""

import re

from mapping import i18n


def test_every_key_has_dutch_and_english():
    missing = [key for key, entry in i18n.catalogue().items()
               if not entry.get("nl") or not entry.get("en")]
    assert missing == []


def test_placeholders_match_between_languages():
    field = re.compile(r"{(\w+)}")
    mismatched = [key for key, entry in i18n.catalogue().items()
                  if set(field.findall(entry["nl"])) != set(field.findall(entry["en"]))]
    assert mismatched == []


def test_lookup_formats_and_falls_back():
    assert i18n.t("error.too_long", "en", max=10, length=12) == "Too long: 12 characters, at most 10."
    assert i18n.t("kind.initiative") == "Initiatief"
    assert i18n.t("no.such.key", "en") == "no.such.key"
    assert i18n.normalise_language("EN") == "en" and i18n.normalise_language("<script>") == "nl"
