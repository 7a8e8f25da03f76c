"""The one formatting helper: Dutch and English numbers and dates (expected strings written out by hand)."""

import datetime as dt

import pytest

from mapping.i18n import format as fmt


@pytest.mark.parametrize("value, lang, decimals, expected", [
    (590223, "nl", 0, "590.223"),
    (590223, "en", 0, "590,223"),
    (25625.4, "nl", 1, "25.625,4"),
    (25625.4, "en", 1, "25,625.4"),
    (None, "nl", 0, "–"),
    (float("nan"), "en", 0, "–"),
])
def test_number(value, lang, decimals, expected):
    assert fmt.number(value, lang, decimals) == expected


def test_percent_and_missing_text():
    assert fmt.percent(0.253, "en") == "25%"
    assert fmt.percent(0.2535, "nl", 1) == "25,4%"
    assert fmt.percent(None, "nl", missing="niet beschikbaar") == "niet beschikbaar"


def test_dates_follow_the_language():
    day = dt.date(2025, 3, 18)
    assert fmt.date(day, "nl", "short") == "18-03-2025"
    assert fmt.date(day, "en", "short") == "18/03/2025"
    assert fmt.date(day, "nl", "long") == "18 maart 2025"
    assert fmt.date(day, "en", "long") == "18 March 2025"
    assert fmt.datetime("2025-03-18T19:30", "en", "long") == "18 March 2025 19:30"
    assert fmt.date("", "nl") == "–"
