"""Texts of the store seam: the database server unreachable, server mode not built yet."""

STRINGS = {
    "store.unavailable": {
        "nl": "De kaart is tijdelijk niet beschikbaar: de database is even niet bereikbaar. Probeer het over een "
              "minuut opnieuw; wat u al had ingevuld blijft staan.",
        "en": "The map is temporarily unavailable: the database cannot be reached right now. Please try again in "
              "a minute; anything you already filled in stays in the form.",
    },
    "store.not_built": {
        "nl": "De serverdatabase is nog niet opgebouwd. Draai eenmalig `python -m mapping --database-url URL build`.",
        "en": "The server database has not been built yet. Run `python -m mapping --database-url URL build` once.",
    },
}
