"""Strings of the map explorer (Kaart), the map builders, the exports and the overview page."""

STRINGS = {
    # -- map builder: legend, layers, tooltips --------------------------------------------------
    "map.legend.title": {"nl": "Legenda", "en": "Legend"},
    "map.frame_title": {"nl": "Kaart", "en": "Map"},
    "map.skip": {"nl": "Sla de kaart over (naar de tabel)", "en": "Skip the map (to the table)"},
    "map.cluster_name": {"nl": "{n} records hier; Enter toont ze", "en": "{n} records here; Enter shows them"},
    "map.legend.cluster": {
        "nl": "Bol met getal: zoveel records op of bij die plek; de ring toont de soorten. Klik erop om in te zoomen.",
        "en": "Bubble with a number: that many records at or near that spot; the ring shows their kinds. Click to zoom in.",
    },
    "map.legend.outline": {"nl": "Grenzen van de {level}", "en": "Borders of the {level}"},
    "map.legend.highlight": {"nl": "Gekozen gebied: {name}", "en": "Chosen area: {name}"},
    "map.legend.counts": {
        "nl": "Meer dan {max} punten: de kaart toont het aantal records per {level}.",
        "en": "More than {max} points: the map shows the number of records per {level}.",
    },
    "map.legend.grid": {
        "nl": "Meer dan {max} punten: de kaart toont het aantal records per vak.",
        "en": "More than {max} points: the map shows the number of records per grid cell.",
    },
    "map.legend.not_on_map": {"nl": "{count} zonder locatie: alleen in de lijst", "en": "{count} without a location: list only"},
    "map.layer.counts": {"nl": "Aantallen", "en": "Counts"},
    "map.tooltip.count": {"nl": "{count} records", "en": "{count} records"},
    "map.tooltip.grid": {"nl": "{count} records in dit vak", "en": "{count} records in this cell"},
    "map.level.provincie": {"nl": "provincies", "en": "provinces"},
    "map.level.gemeente": {"nl": "gemeenten", "en": "municipalities"},
    "map.level.wijk": {"nl": "wijken", "en": "districts"},
    "map.level.zorgkantoorregio": {"nl": "zorgkantoorregio's", "en": "care office regions"},
    "map.level.one.gemeente": {"nl": "gemeente", "en": "municipality"},
    "map.level.one.wijk": {"nl": "wijk", "en": "district"},
    "map.tiles.label": {"nl": "Achtergrondkaart", "en": "Background map"},
    "map.tiles.help": {
        "nl": "De achtergrond komt van een externe kaartserver. Zonder verbinding blijven de grenzen, punten en aantallen gewoon zichtbaar.",
        "en": "The background comes from an external map server. Without a connection the borders, points and counts stay visible.",
    },
    "map.tiles.none": {"nl": "geen (alleen grenzen)", "en": "none (borders only)"},
    "map.tiles.osm": {"nl": "OpenStreetMap", "en": "OpenStreetMap"},
    "map.tiles.pdok": {"nl": "PDOK BRT-Achtergrondkaart", "en": "PDOK BRT background map"},

    # -- map page ---------------------------------------------------------------------------------
    "map.heading": {"nl": "Kaart", "en": "Map"},
    "map.intro": {
        "nl": "Initiatieven, zorgaanbieders, netwerken en bijeenkomsten. Kies links een gebied, thema of soort; klik op een punt of een rij voor de details en de verbindingen.",
        "en": "Initiatives, care providers, networks and meet-ups. Choose an area, theme or kind on the left; click a point or a row for details and connections.",
    },
    "map.count_of": {"nl": "{shown} van {total}", "en": "{shown} of {total}"},
    "map.count_help": {
        "nl": "Aantal in deze selectie van het totaal aantal goedgekeurde records van deze soort.",
        "en": "Number in this selection out of all approved records of this kind.",
    },
    "map.empty": {
        "nl": "Geen records in deze selectie. Maak de filters ruimer (bijvoorbeeld minder thema's of een groter gebied).",
        "en": "No records in this selection. Widen the filters (for example fewer themes or a larger area).",
    },
    "map.not_on_map": {
        "nl": "{count} record(s) in deze selectie hebben geen locatie: ze staan wel in de lijst, niet op de kaart.",
        "en": "{count} record(s) in this selection have no location: they are in the list, not on the map.",
    },
    "map.aggregated": {
        "nl": "Meer dan {max} records met een locatie: de kaart toont aantallen per {level}. Kies een kleiner gebied om de afzonderlijke punten te zien.",
        "en": "More than {max} records with a location: the map shows counts per {level}. Choose a smaller area to see the individual points.",
    },
    "map.share": {
        "nl": "Delen: de link in de adresbalk bevat alle filters en het gekozen record; wie hem opent ziet precies deze weergave.",
        "en": "Sharing: the link in the address bar holds every filter and the chosen record; whoever opens it sees exactly this view.",
    },
    "map.notice.unknown_params": {
        "nl": "Onbekende parameters in de link genegeerd: {names}.",
        "en": "Unknown parameters in the link were ignored: {names}.",
    },
    "map.notice.bad_id": {
        "nl": "Het record uit de link ('{value}') staat niet in deze selectie en wordt niet getoond.",
        "en": "The record from the link ('{value}') is not in this selection and is not shown.",
    },
    "map.embed.filters": {"nl": "Filters", "en": "Filters"},
    "map.embed.locked": {
        "nl": "Vaste selectie van deze ingesloten kaart: {what}.",
        "en": "Fixed selection of this embedded map: {what}.",
    },
    "map.embed.open_full": {"nl": "Open de volledige kaart", "en": "Open the full map"},
    "map.table.heading": {"nl": "Lijst", "en": "List"},
    "map.table.help": {
        "nl": "Klik op een kolomkop om te sorteren; kies een rij (vakje links) om de details te zien en de kaart erop te centreren.",
        "en": "Click a column header to sort; choose a row (box on the left) to see its details and centre the map on it.",
    },
    "map.table.truncated": {
        "nl": "De lijst toont de eerste {shown} van {total} records. Download de selectie voor alle records.",
        "en": "The list shows the first {shown} of {total} records. Download the selection for all records.",
    },
    "map.col.when": {"nl": "Datum", "en": "Date"},
    "map.col.on_map": {"nl": "Op kaart", "en": "On map"},
    "map.online.heading": {"nl": "Online bijeenkomsten", "en": "Online meet-ups"},
    "map.online.help": {
        "nl": "Online bijeenkomsten hebben geen plek op de kaart; hier staan ze met hun link.",
        "en": "Online meet-ups have no place on the map; here they are with their link.",
    },
    "map.online.join": {"nl": "Link om deel te nemen", "en": "Link to join"},
    "map.details.heading": {"nl": "Details", "en": "Details"},
    "map.details.empty": {
        "nl": "Klik op een punt op de kaart of kies een rij in de lijst om hier de details en verbindingen te zien.",
        "en": "Click a point on the map or choose a row in the list to see its details and connections here.",
    },
    "map.details.clear": {"nl": "Selectie wissen", "en": "Clear selection"},
    "map.details.regions": {"nl": "Gebied", "en": "Area"},
    "map.details.when": {"nl": "Wanneer", "en": "When"},
    "map.details.all_day": {"nl": "hele dag", "en": "all day"},
    "map.details.online": {"nl": "Online bijeenkomst", "en": "Online meet-up"},
    "map.details.meeting_link": {"nl": "Link om deel te nemen", "en": "Link to join"},
    "map.details.precision": {"nl": "Locatie: {precision}", "en": "Location: {precision}"},
    "map.details.no_location": {
        "nl": "Geen locatie bekend: dit record staat niet op de kaart.",
        "en": "No location known: this record is not on the map.",
    },
    "map.details.links": {"nl": "Verbindingen", "en": "Connections"},
    "map.details.no_links": {"nl": "Geen verbindingen bekend.", "en": "No connections known."},
    "map.details.show_linked_help": {
        "nl": "Toon dit verbonden record (als het in de huidige selectie staat).",
        "en": "Show this connected record (if it is in the current selection).",
    },
    "map.details.linked_outside": {
        "nl": "'{name}' valt buiten de huidige filters; maak de filters ruimer om het te zien.",
        "en": "'{name}' is outside the current filters; widen the filters to see it.",
    },
    "map.details.source": {"nl": "Bron", "en": "Source"},
    "map.details.synthetic": {"nl": "Synthetisch record (demodata)", "en": "Synthetic record (demo data)"},
    "map.downloads.heading": {"nl": "Downloaden", "en": "Download"},
    "map.downloads.help": {
        "nl": "Precies de records van deze selectie ({count}), alleen openbare velden, nooit contactgegevens.",
        "en": "Exactly the records of this selection ({count}), public fields only, never contact details.",
    },
    "map.download.csv": {"nl": "CSV (Excel)", "en": "CSV (Excel)"},
    "map.download.csv_help": {
        "nl": "Puntkomma-gescheiden, UTF-8; opent direct in Nederlandse Excel.",
        "en": "Semicolon-separated, UTF-8; opens directly in Dutch Excel.",
    },
    "map.download.geojson": {"nl": "GeoJSON (GIS)", "en": "GeoJSON (GIS)"},
    "map.download.geojson_help": {
        "nl": "Punten in WGS84 voor QGIS en andere GIS-programma's; records zonder locatie hebben geen geometrie.",
        "en": "Points in WGS84 for QGIS and other GIS tools; records without a location have no geometry.",
    },
    "map.download.ics": {"nl": "Agenda (.ics)", "en": "Calendar (.ics)"},
    "map.download.ics_help": {
        "nl": "De bijeenkomsten met een datum, voor Outlook, Google Agenda of Apple Agenda.",
        "en": "The meet-ups with a date, for Outlook, Google Calendar or Apple Calendar.",
    },
    "map.download.ics_none": {
        "nl": "Geen bijeenkomsten met een datum in deze selectie: geen agendabestand.",
        "en": "No meet-ups with a date in this selection: no calendar file.",
    },

    # -- exports ----------------------------------------------------------------------------------
    "export.ics.online": {"nl": "Online", "en": "Online"},
    "export.ics.join": {"nl": "Deelnemen", "en": "Join"},
    "export.ics.source": {"nl": "Bron", "en": "Source"},
    "export.ics.calendar_name": {"nl": "Zorgzame Buurten – bijeenkomsten", "en": "Caring Neighbourhoods – meet-ups"},

    # -- overview page (keys not in core.py) ------------------------------------------------------
    "overview.total": {"nl": "Totaal", "en": "Total"},
    "overview.all_located": {"nl": "Alle records hebben een locatie.", "en": "Every record has a location."},
    "overview.unknown_provincie": {"nl": "(zonder locatie)", "en": "(no location)"},
    "overview.open_map": {"nl": "Naar de kaart met filters", "en": "Go to the map with filters"},
    "overview.map_hint": {
        "nl": "Beweeg over een punt voor de naam; de kaart met filters, lijst en details vindt u onder Kaart.",
        "en": "Hover over a point for its name; the map with filters, list and details is under Map.",
    },
}
