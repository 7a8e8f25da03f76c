"""Strings of the shared filter sidebar."""

STRINGS = {
    "filter.heading": {"nl": "Filters", "en": "Filters"},
    "filter.region_mode": {"nl": "Regio kiezen via", "en": "Choose region by"},
    "filter.mode.admin": {"nl": "provincie/gemeente/wijk", "en": "province/municipality/district"},
    "filter.mode.zorgkantoor": {"nl": "zorgkantoorregio", "en": "care office region"},
    "filter.themes_placeholder": {"nl": "Alle thema's", "en": "All themes"},
    "filter.kinds_placeholder": {"nl": "Alle soorten", "en": "All kinds"},
    "filter.search": {"nl": "Zoeken in naam en omschrijving", "en": "Search name and description"},
    "filter.search_help": {"nl": "Hoofdletters en accenten maken niet uit: 'cooperatie' vindt 'coöperatie'.",
                           "en": "Case and accents do not matter: 'cooperatie' finds 'coöperatie'."},
    "filter.meetups": {"nl": "Bijeenkomsten", "en": "Meet-ups"},
    "filter.meetups_when": {"nl": "Welke bijeenkomsten", "en": "Which meet-ups"},
    "filter.when.all": {"nl": "alle", "en": "all"},
    "filter.when.upcoming": {"nl": "komende", "en": "upcoming"},
    "filter.when.past": {"nl": "afgelopen", "en": "past"},
    "filter.date_range": {"nl": "Periode", "en": "Date range"},
    "filter.ignored_params": {"nl": "Niet gebruikt uit de link (onbekend of ongeldig): {names}. "
                                    "De rest van de link is toegepast.",
                              "en": "Not used from the link (unknown or invalid): {names}. "
                                    "The rest of the link was applied."},
}
