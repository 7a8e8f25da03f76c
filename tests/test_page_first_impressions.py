"""First impressions (#18) under AppTest: what a first-time visitor reads on the pages."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from conftest import page_path
from mapping import listing

TIMEOUT = 120


def open_page(name: str, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(page_path(name), default_timeout=TIMEOUT)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def page_text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "subheader", "title")
             for e in getattr(at, kind)]
    # Markdown escapes (``\\(``) removed: the text as the visitor reads it.
    return "\n".join(str(p) for p in parts).replace("\\", "")


# -- 3: internal curation notes stay in the data files ----------------------------------------

def test_public_source_title_keeps_publisher_and_drops_curation_notes():
    raw = ("LOC-artikel over lokale zeggenschap ('Zorg & Zeggenschap', tijdschrift van LOC Waardevolle zorg, "
           "herfstnummer 2023; titel niet in de bron; seeds/002_f7cd01d7a214bbc5.txt, geen URL in de bron)")
    assert listing.public_source_title(raw) == (
        "LOC-artikel over lokale zeggenschap ('Zorg & Zeggenschap', tijdschrift van LOC Waardevolle zorg, "
        "herfstnummer 2023)")
    assert listing.public_source_title(
        "Verslag Week (titel niet in de bron; seeds/004_90e4.txt, geen URL in de bron)") == "Verslag Week"
    assert listing.public_source_title("Meet-up Zorgvrijstaat - zeggenschap") == "Meet-up Zorgvrijstaat - zeggenschap"
    assert listing.public_source_title(None) == ""


def test_details_panel_names_the_public_source_without_curation_notes(app_env):
    at = open_page("kaart.py", {"id": "langer-zelfstandig-leven"})
    text = page_text(at)
    assert "Actieteam Zorgzame gemeenschappen op locatie (eventpagina Radicale vernieuwing)" in text
    assert "12 jun 2025" in text            # the source's date, Dutch style
    for note in ("seeds/", "geen URL in de bron", ".txt"):
        assert note not in text


# -- 9: filters from URLs ----------------------------------------------------------------------

def test_thema_notice_names_exactly_the_ignored_value_and_keeps_the_rest(app_env):
    at = open_page("kaart.py", {"thema": "buurthulp,mantelzorg"})
    notice = " ".join(i.value for i in at.info).replace("\\", "")
    assert "thema=mantelzorg" in notice and "buurthulp" not in notice
    assert at.sidebar.multiselect(key="flt_themes").value == ["buurthulp"]


def test_choosing_a_gemeente_shows_its_provincie_as_the_same_url_does(app_env):
    at = open_page("kaart.py")
    at.sidebar.selectbox(key="flt_gemeente").set_value("GM0579").run()   # Leiden, Zuid-Holland
    assert not at.exception
    chosen = at.sidebar.selectbox(key="flt_provincie").value
    reloaded = open_page("kaart.py", {k: at.query_params[k] for k in at.query_params})
    assert chosen == reloaded.sidebar.selectbox(key="flt_provincie").value == "PV28"


# -- 10: Aanmelden and Privacy -----------------------------------------------------------------

def test_plaats_is_filled_in_visibly_from_the_postcode(app_env):
    at = open_page("aanmelden.py")
    at.text_input(key="aanm_postcode").input("2341 AB").run()
    assert at.text_input(key="aanm_place").value == "Oegstgeest"   # pc4_centroids.csv: 2341 → Oegstgeest


def test_privacy_shows_the_configured_contact_address_or_says_it_is_missing(app_env, monkeypatch):
    monkeypatch.delenv("MAPPING_CONTACT_EMAIL", raising=False)
    missing = open_page("privacy.py")
    assert any("MAPPING_CONTACT_EMAIL" in w.value for w in missing.warning)
    monkeypatch.setenv("MAPPING_CONTACT_EMAIL", "beheer@example.nl")
    configured = open_page("privacy.py")
    assert "mailto:beheer@example.nl" in page_text(configured) and not configured.warning
    assert "contactgegevens toont die pagina niet" in page_text(configured)
