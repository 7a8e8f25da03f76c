"""Strings of the Witte vlekken (gap) view: page, map, table, export, printable summary."""

STRINGS = {
    "gaps.title": {"nl": "Witte vlekken", "en": "Gaps (witte vlekken)"},
    "gaps.intro": {
        "nl": "Waar wonen naar verhouding veel ouderen en is er (bijna) niets: geen initiatieven, zorgaanbieders of "
              "ontmoetingsplekken, of initiatieven zonder verbinding met zorg? Kies uw regio; de kaart en de lijst "
              "tonen de gebieden met de grootste witte vlekken bovenaan.",
        "en": "Where do relatively many older people live while (almost) nothing is there: no initiatives, care "
              "providers or meeting places, or initiatives without a connection to care? Choose your region; the "
              "map and the list show the areas with the largest gaps first.",
    },
    "gaps.not_available": {"nl": "niet beschikbaar", "en": "not available"},
    "gaps.unit.density": {"nl": "inw/km²", "en": "inh/km²"},
    "gaps.approximation": {"nl": "benadering", "en": "approximation"},

    # controls
    "gaps.controls": {"nl": "Witte vlekken", "en": "Gaps"},
    "gaps.scope": {"nl": "Regio kiezen via", "en": "Choose region by"},
    "gaps.scope.zorgkantoorregio": {"nl": "zorgkantoorregio", "en": "care office region"},
    "gaps.scope.provincie": {"nl": "provincie", "en": "province"},
    "gaps.scope.gemeente": {"nl": "gemeente", "en": "municipality"},
    "gaps.scope.all": {"nl": "— heel Nederland —", "en": "— the whole Netherlands —"},
    "gaps.level": {"nl": "Vergelijk", "en": "Compare"},
    "gaps.level_plural.gemeente": {"nl": "gemeenten", "en": "municipalities"},
    "gaps.level_plural.wijk": {"nl": "wijken", "en": "districts (wijken)"},
    "gaps.level_help": {
        "nl": "Een gemeente wordt altijd per wijk vergeleken.",
        "en": "A municipality is always compared by its districts.",
    },
    "gaps.need": {"nl": "Behoefte meten met", "en": "Measure need by"},
    "gaps.need_help": {
        "nl": "Het cijfer dat bepaalt hoe groot de behoefte in een gebied is. Een hoger cijfer = meer behoefte.",
        "en": "The figure that decides how large the need in an area is. A higher figure = more need.",
    },
    "gaps.layer": {"nl": "Kaart toont", "en": "Map shows"},
    "gaps.layer.gap": {"nl": "Witte-vlekscore", "en": "Gap score"},
    "gaps.layer.need": {"nl": "Behoefte", "en": "Need"},
    "gaps.layer.supply": {"nl": "Aanbod (records per 10.000 inwoners)", "en": "Supply (records per 10,000 inhabitants)"},
    "gaps.layer.outlines": {"nl": "Grenzen", "en": "Boundaries"},
    "gaps.themes": {"nl": "Alleen aanbod met thema", "en": "Only supply with theme"},
    "gaps.themes_help": {
        "nl": "Tel alleen records met een van deze thema's, bijvoorbeeld 'voorzorgcirkel' voor de vraag "
              "'waar is geen voorzorgcirkel?'. Leeg = alles telt.",
        "en": "Count only records with one of these themes, e.g. 'voorzorgcirkel' to ask 'where is there no "
              "prevention circle?'. Empty = everything counts.",
    },
    "gaps.themes_placeholder": {"nl": "Alle thema's", "en": "All themes"},
    "gaps.ignored_params": {"nl": "Onbekende of ongeldige parameters in de link genegeerd: {names}.",
                            "en": "Unknown or invalid parameters in the link were ignored: {names}."},

    # need measures
    "gaps.measure.aandeel_75plus": {"nl": "Aandeel 75-plussers", "en": "Share aged 75+"},
    "gaps.measure.aandeel_65plus": {"nl": "Aandeel 65-plussers", "en": "Share aged 65+"},
    "gaps.measure.inwoners_75plus": {"nl": "Aantal 75-plussers", "en": "Number aged 75+"},
    "gaps.measure.inwoners_65plus": {"nl": "Aantal 65-plussers", "en": "Number aged 65+"},
    "gaps.measure.bevolkingsdichtheid": {"nl": "Bevolkingsdichtheid", "en": "Population density"},
    "gaps.measure.inwoners": {"nl": "Inwoners", "en": "Inhabitants"},
    "gaps.measure.woningvoorraad": {"nl": "Woningvoorraad", "en": "Housing stock"},
    "gaps.measure.oppervlakte_land": {"nl": "Oppervlakte land (ha)", "en": "Land area (ha)"},
    "gaps.measure.inwoners_2021_pc4": {"nl": "Inwoners 2021 volgens postcodegebieden",
                                       "en": "Inhabitants 2021 from postcode areas"},
    "gaps.measure.huishoudens": {"nl": "Huishoudens", "en": "Households"},
    "gaps.measure.eenpersoonshuishoudens_wijk": {"nl": "Aandeel eenpersoonshuishoudens",
                                                 "en": "Share of single-person households"},
    "gaps.measure.aandeel_eenpersoonshuishoudens": {"nl": "Aandeel eenpersoonshuishoudens",
                                                    "en": "Share of single-person households"},
    "gaps.measure.huishoudensgrootte": {"nl": "Gemiddelde huishoudensgrootte", "en": "Average household size"},
    "gaps.measure.afstand_huisarts": {"nl": "Afstand tot huisartsenpraktijk", "en": "Distance to GP practice"},
    "gaps.measure.kwetsbaarheid": {"nl": "Kwetsbaarheidsindex (0–100)", "en": "Vulnerability index (0–100)"},
    "gaps.measure.wmo": {"nl": "Wmo-cliënten", "en": "Wmo clients (social support act)"},

    # supply the score weighs need against (URL: aanbod)
    "gaps.supply": {"nl": "Aanbod in de score", "en": "Supply in the score"},
    "gaps.supply_help": {
        "nl": "Gemeenschap: de initiatieven, netwerken, zorgaanbieders en bijeenkomsten op deze kaart. Huisarts: de "
              "CBS-afstand tot de dichtstbijzijnde huisartsenpraktijk (professioneel aanbod). Beide: het gemiddelde.",
        "en": "Community: the initiatives, networks, care providers and meet-ups on this map. GP: the CBS distance "
              "to the nearest GP practice (professional supply). Both: the average.",
    },
    "gaps.supply.gemeenschap": {"nl": "Gemeenschap", "en": "Community"},
    "gaps.supply.huisarts": {"nl": "Huisarts (CBS)", "en": "GP (CBS)"},
    "gaps.supply.beide": {"nl": "Beide", "en": "Both"},

    # method notes of figures
    "gaps.method.published": {"nl": "gepubliceerd door CBS", "en": "published by CBS"},
    "gaps.method.missing": {"nl": "niet beschikbaar: geen postcodegebied met middelpunt in deze wijk",
                            "en": "not available: no postcode area has its centre in this district"},
    "gaps.method.nearest": {"nl": "ruwe benadering: aandeel van het dichtstbijzijnde postcodegebied ({postcode})",
                            "en": "rough approximation: share of the nearest postcode area ({postcode})"},
    "gaps.method.gemeente_pc4": {"nl": "som van de postcodegebieden in de gemeente",
                                 "en": "sum of the postcode areas in the municipality"},
    "gaps.method.pc4": {"nl": "benadering: som van {n} postcodegebied(en) met middelpunt in de wijk",
                        "en": "approximation: sum of {n} postcode area(s) with their centre in the district"},
    "gaps.method.households": {"nl": "bestaat niet in de CBS-cijfers van deze kaart: CBS publiceert het aandeel "
                                     "eenpersoonshuishoudens hier alleen per gemeente",
                               "en": "does not exist in this map's CBS figures: CBS publishes the share of "
                                     "single-person households here per municipality only"},
    "gaps.method.wmo": {"nl": "bestaat niet in de gegevens van deze kaart (geen Wmo-cijfers per gebied gevonden)",
                        "en": "does not exist in this map's data (no Wmo figures per area found)"},
    "gaps.method.share_65": {"nl": "berekend: gepubliceerde 65-plussers / gepubliceerde inwoners (beide 85984NED, 2024)",
                             "en": "computed: published 65+ / published inhabitants (both 85984NED, 2024)"},
    "gaps.method.one_person": {"nl": "gepubliceerd door CBS (afgerond op hele procenten)",
                               "en": "published by CBS (rounded to whole percent)"},
    "gaps.method.vulnerability_gemeente": {
        "nl": "berekend: gemiddelde van de rangorde op aandeel 65+ en aandeel eenpersoonshuishoudens",
        "en": "computed: mean of the rank on share 65+ and share of single-person households"},
    "gaps.method.vulnerability_wijk": {
        "nl": "berekend: gemiddelde van de rangorde op aandeel 65+ en op kleine huishoudens (gemiddelde grootte); "
              "eenpersoonshuishoudens per wijk bestaan niet in deze gegevens",
        "en": "computed: mean of the rank on share 65+ and on small households (average size); single-person "
              "households per district do not exist in this data"},

    # status of an area in the ranking
    "gaps.status.scored": {"nl": "berekend", "en": "scored"},
    "gaps.status.need_missing": {"nl": "geen score: behoeftecijfer niet beschikbaar",
                                 "en": "no score: need figure not available"},
    "gaps.status.population_missing": {"nl": "geen score: inwonertal niet beschikbaar",
                                       "en": "no score: population not available"},
    "gaps.status.supply_missing": {"nl": "geen score: afstand tot huisarts niet beschikbaar",
                                   "en": "no score: distance to GP not available"},
    "gaps.status.too_small": {"nl": "geen score: minder dan {min} inwoners",
                              "en": "no score: fewer than {min} inhabitants"},

    # legend and tooltip
    "gaps.legend.title.gap": {"nl": "Witte-vlekscore (0–100, donker = grotere witte vlek)",
                              "en": "Gap score (0–100, dark = larger gap)"},
    "gaps.legend.title.need": {"nl": "{measure} (donker = meer behoefte)", "en": "{measure} (dark = more need)"},
    "gaps.legend.title.supply": {"nl": "Records per 10.000 inwoners (donker = meer aanbod)",
                                 "en": "Records per 10,000 inhabitants (dark = more supply)"},
    "gaps.legend.no_supply": {"nl": "0 (geen aanbod)", "en": "0 (no supply)"},
    "gaps.legend.unscored": {"nl": "geen score / niet beschikbaar", "en": "no score / not available"},
    "gaps.tooltip.supply": {"nl": "{initiatives} initiatieven, {providers} zorgaanbieders, {meetups} bijeenkomsten, {networks} netwerken",
                            "en": "{initiatives} initiatives, {providers} care providers, {meetups} meet-ups, {networks} networks"},
    "gaps.tooltip.links": {"nl": "{n} verbindingen", "en": "{n} connections"},
    "gaps.tooltip.no_supply": {"nl": "niets geregistreerd", "en": "nothing registered"},
    "gaps.tooltip.rough": {"nl": "75+ hier een ruwe benadering (postcodegebieden passen slecht op deze wijk)",
                           "en": "75+ here a rough approximation (postcode areas fit this district badly)"},
    "gaps.map_caption": {
        "nl": "Beweeg over een gebied voor de cijfers; klik voor de samenvatting. Zonder achtergrondkaart: alleen grenzen "
              "(Kadaster / CBS). Dikke lijnen: grenzen van gemeenten of provincies.",
        "en": "Hover an area for its figures; click for its summary. No background map: boundaries only "
              "(Kadaster / CBS). Thick lines: municipal or provincial borders.",
    },
    "gaps.no_areas": {"nl": "Geen gebieden gevonden voor deze keuze.", "en": "No areas found for this choice."},

    # metrics
    "gaps.metric.areas.gemeente": {"nl": "Vergeleken gemeenten", "en": "Municipalities compared"},
    "gaps.metric.areas.wijk": {"nl": "Vergeleken wijken", "en": "Districts compared"},
    "gaps.metric.scored": {"nl": "{n} met score", "en": "{n} with a score"},
    "gaps.metric.records": {"nl": "Records in de regio", "en": "Records in the region"},
    "gaps.metric.without": {"nl": "Gebieden zonder aanbod", "en": "Areas without supply"},
    "gaps.metric.linked": {"nl": "Initiatieven verbonden met zorg", "en": "Initiatives linked to care"},

    # area summary
    "gaps.area.choose": {"nl": "Gebied bekijken", "en": "View area"},
    "gaps.area.none": {"nl": "— klik op de kaart of kies een gebied —", "en": "— click the map or choose an area —"},
    "gaps.area.heading": {"nl": "{name}", "en": "{name}"},
    "gaps.area.in_gemeente": {"nl": "Wijk in {gemeente}", "en": "District in {gemeente}"},
    "gaps.area.gemeente": {"nl": "Gemeente", "en": "Municipality"},
    "gaps.area.score": {"nl": "Witte-vlekscore: {score}", "en": "Gap score: {score}"},
    "gaps.area.figures": {"nl": "Cijfers", "en": "Figures"},
    "gaps.area.records_truncated": {
        "nl": "De eerste {shown} van {total} records; de pagina Kaart toont ze allemaal, met downloads.",
        "en": "The first {shown} of {total} records; the Map page shows them all, with downloads.",
    },
    "gaps.area.records": {"nl": "Initiatieven, zorgaanbieders en bijeenkomsten in dit gebied",
                          "en": "Initiatives, care providers and meet-ups in this area"},
    "gaps.area.no_records": {"nl": "Niets geregistreerd in dit gebied{themes}. Dit is een witte vlek op de kaart — "
                                   "wat er wel is, kan zich aanmelden via 'Aanmelden'.",
                             "en": "Nothing registered in this area{themes}. This is a gap on the map — what does "
                                   "exist can sign up via 'Sign up'."},
    "gaps.area.with_themes": {"nl": " met de gekozen thema's", "en": " with the chosen themes"},
    "gaps.area.links": {"nl": "Verbindingen", "en": "Connections"},
    "gaps.area.link_from": {"nl": "Van", "en": "From"},
    "gaps.area.link_relation": {"nl": "Relatie", "en": "Relation"},
    "gaps.area.link_to": {"nl": "Naar", "en": "To"},
    "gaps.area.no_links": {"nl": "Geen verbindingen geregistreerd.", "en": "No connections registered."},
    "gaps.area.unlinked": {"nl": "{n} van de {total} initiatieven heeft geen verbinding met een zorgaanbieder.",
                           "en": "{n} of the {total} initiatives have no connection to a care provider."},
    "gaps.area.open_map": {"nl": "Open dit gebied op de kaart", "en": "Open this area on the map"},
    "gaps.area.figure": {"nl": "Cijfer", "en": "Figure"},
    "gaps.area.value": {"nl": "Waarde", "en": "Value"},
    "gaps.area.method": {"nl": "Toelichting", "en": "Note"},
    "gaps.area.published": {"nl": "gepubliceerd door CBS", "en": "published by CBS"},
    "gaps.area.coverage": {
        "nl": "De postcodegebieden die bij deze wijk zijn geteld hadden in 2021 {pc4} inwoners; de wijk had er in "
              "2024 {wijk}. {verdict}",
        "en": "The postcode areas counted for this district had {pc4} inhabitants in 2021; the district had {wijk} "
              "in 2024. {verdict}",
    },
    "gaps.area.coverage_good": {"nl": "De benadering past goed.", "en": "The approximation fits well."},
    "gaps.area.coverage_rough": {"nl": "De benadering is ruw: lees 65+/75+ als indicatie.",
                                 "en": "The approximation is rough: read 65+/75+ as an indication."},

    # ranked table
    "gaps.table.heading": {"nl": "Grootste witte vlekken", "en": "Largest gaps"},
    "gaps.table.caption": {
        "nl": "Klik op een kolomkop om te sorteren; kies een rij om de samenvatting te openen. Gebieden zonder score "
              "staan onderaan met de reden.",
        "en": "Click a column header to sort; select a row to open its summary. Areas without a score are listed "
              "last with the reason.",
    },
    "gaps.table.download": {"nl": "Download lijst (CSV, met cijfers en bronnen)",
                            "en": "Download list (CSV, with figures and sources)"},
    "gaps.col.rank": {"nl": "Rang", "en": "Rank"},
    "gaps.col.code": {"nl": "Code", "en": "Code"},
    "gaps.col.name": {"nl": "Naam", "en": "Name"},
    "gaps.col.gemeente_name": {"nl": "Gemeente", "en": "Municipality"},
    "gaps.col.gap_score": {"nl": "Witte-vlekscore", "en": "Gap score"},
    "gaps.col.status": {"nl": "Status", "en": "Status"},
    "gaps.col.need_value": {"nl": "Behoeftecijfer", "en": "Need figure"},
    "gaps.col.need_measure": {"nl": "Behoeftemaat", "en": "Need measure"},
    "gaps.col.inwoners": {"nl": "Inwoners", "en": "Inhabitants"},
    "gaps.col.inwoners_75plus": {"nl": "75-plussers", "en": "Aged 75+"},
    "gaps.col.supply": {"nl": "Aanbod", "en": "Supply"},
    "gaps.col.n_initiative": {"nl": "Initiatieven", "en": "Initiatives"},
    "gaps.col.n_provider": {"nl": "Zorgaanbieders", "en": "Care providers"},
    "gaps.col.n_meetup": {"nl": "Bijeenkomsten", "en": "Meet-ups"},
    "gaps.col.n_network": {"nl": "Netwerken", "en": "Networks"},
    "gaps.summary.per_gemeente": {"nl": "Per gemeente: behoefte, aanbod en de vijf grootste witte vlekken",
                                  "en": "Per municipality: need, supply and the five largest gaps"},
    "gaps.summary.top5": {"nl": "Vijf wijken met de grootste witte vlek (score)",
                          "en": "Five districts with the largest gap (score)"},
    "gaps.summary.per_gemeente_sources": {
        "nl": "Bronnen: CBS 85984NED (2024) voor inwoners, 65+, eenpersoonshuishoudens en afstand tot de huisarts; "
              "75+ CBS 83502NED (2021, som van postcodegebieden). Records en verbindingen: deze kaart (gemeenschap). "
              "Wmo-cliënten bestaan niet in deze gegevens.",
        "en": "Sources: CBS 85984NED (2024) for inhabitants, 65+, single-person households and distance to the GP; "
              "75+ CBS 83502NED (2021, sum of postcode areas). Records and connections: this map (community). "
              "Wmo clients do not exist in this data."},
    "gaps.col.n_venue": {"nl": "Ontmoetingsplekken", "en": "Meeting places"},
    "gaps.col.community_index": {"nl": "Aanbod-index gemeenschap", "en": "Supply index community"},
    "gaps.col.professional_index": {"nl": "Aanbod-index huisarts", "en": "Supply index GP"},
    "gaps.col.afstand_huisarts": {"nl": "Afstand huisarts (km)", "en": "Distance to GP (km)"},
    "gaps.col.kwetsbaarheid": {"nl": "Kwetsbaarheid", "en": "Vulnerability"},
    "gaps.col.aandeel_65plus": {"nl": "65+ (%)", "en": "65+ (%)"},
    "gaps.col.n_records": {"nl": "Records", "en": "Records"},
    "gaps.col.n_initiative_linked": {"nl": "Initiatieven verbonden met zorgaanbieder",
                                     "en": "Initiatives linked to a care provider"},
    "gaps.col.n_links": {"nl": "Verbindingen", "en": "Connections"},
    "gaps.col.records_per_10k": {"nl": "Records per 10.000 inwoners", "en": "Records per 10,000 inhabitants"},
    "gaps.col.initiatives_per_10k": {"nl": "Initiatieven per 10.000 inwoners", "en": "Initiatives per 10,000 inhabitants"},
    "gaps.col.records_per_1k_75plus": {"nl": "Records per 1.000 75-plussers", "en": "Records per 1,000 aged 75+"},
    "gaps.col.effective_supply": {"nl": "Gewogen aanbod", "en": "Weighted supply"},
    "gaps.col.need_index": {"nl": "Behoefte-index (0–1)", "en": "Need index (0–1)"},
    "gaps.col.supply_index": {"nl": "Aanbod-index (0–1)", "en": "Supply index (0–1)"},
    "gaps.col.pc4_coverage": {"nl": "Dekking postcodebenadering (inwoners 2021 PC4 / inwoners 2024)",
                              "en": "Postcode approximation coverage (inhabitants 2021 PC4 / inhabitants 2024)"},
    "gaps.col.source": {"nl": "Bron", "en": "Source"},
    "gaps.col.source_suffix": {"nl": "bron", "en": "source"},
    "gaps.col.method_suffix": {"nl": "methode", "en": "method"},

    # regional summary
    "gaps.summary.heading": {"nl": "Regio-overzicht: {region}", "en": "Regional summary: {region}"},
    "gaps.summary.caption": {
        "nl": "Eén scherm om te delen of te printen. De download is een losse HTML-pagina (werkt offline); open hem "
              "en kies Afdrukken → Opslaan als PDF voor een PDF.",
        "en": "One screen to share or print. The download is a standalone HTML page (works offline); open it and "
              "choose Print → Save as PDF for a PDF.",
    },
    "gaps.summary.download": {"nl": "Download regio-overzicht (HTML, printklaar)",
                              "en": "Download regional summary (HTML, print-ready)"},
    "gaps.summary.print_hint": {"nl": "Tip: Ctrl+P / Cmd+P print deze pagina zonder zijbalk en knoppen.",
                                "en": "Tip: Ctrl+P / Cmd+P prints this page without sidebar and buttons."},
    "gaps.summary.gemeenten": {"nl": "Gemeenten", "en": "Municipalities"},
    "gaps.summary.links_networks": {"nl": "Verbindingen / netwerken", "en": "Connections / networks"},
    "gaps.summary.top10": {"nl": "De tien grootste witte vlekken", "en": "The ten largest gaps"},
    "gaps.summary.no_scores": {"nl": "Geen gebieden met een score.", "en": "No areas with a score."},
    "gaps.summary.subtitle": {
        "nl": "Witte vlekken per {level}, behoefte gemeten met: {measure}. Gemaakt op {date} met de Zorgzame Buurten Kaart.",
        "en": "Gaps per {level}, need measured by: {measure}. Made on {date} with the Caring Neighbourhoods Map.",
    },
    "gaps.summary.note_approximation": {
        "nl": "* Benadering: 65+/75+ per wijk is geteld via de postcodegebieden met hun middelpunt in de wijk.",
        "en": "* Approximation: 65+/75+ per district is counted via the postcode areas with their centre in the district.",
    },
    "gaps.summary.note_score": {
        "nl": "Score 0–100: hoe hoger, hoe meer behoefte en hoe minder geregistreerd aanbod. Het aanbod is alleen wat "
              "in deze kaart staat.",
        "en": "Score 0–100: the higher, the more need and the less registered supply. Supply is only what is on "
              "this map.",
    },
    "gaps.summary.note_sources": {
        "nl": "Bronnen: CBS StatLine 85984NED (kerncijfers 2024), 83502NED en 83503NED (postcode-4, 2021); grenzen "
              "Kadaster / CBS. 75+ per wijk is een benadering via postcodegebieden; 65+ per wijk is gepubliceerd (2024).",
        "en": "Sources: CBS StatLine 85984NED (key figures 2024), 83502NED and 83503NED (postcode-4, 2021); "
              "boundaries Kadaster / CBS. 75+ per district is an approximation via postcode areas; 65+ per district "
              "is published (2024).",
    },

    # explanation of the score (plain Dutch; numbers filled in from gaps.WEIGHTS)
    "gaps.explain.heading": {"nl": "Hoe komt de witte-vlekscore tot stand?", "en": "How is the gap score made?"},
    "gaps.explain.inputs": {
        "nl": "**Wat gaat erin.** Per gebied twee dingen: de *behoefte* (het cijfer dat u kiest, bijvoorbeeld het "
              "aandeel 75-plussers) en het *aanbod*: de goedgekeurde initiatieven, zorgaanbieders, netwerken en "
              "bijeenkomsten die op deze kaart in het gebied liggen, en of de initiatieven verbonden zijn met een "
              "zorgaanbieder.",
        "en": "**What goes in.** Two things per area: the *need* (the figure you choose, e.g. the share aged 75+) "
              "and the *supply*: the approved initiatives, care providers, networks and meet-ups on this map inside "
              "the area, and whether the initiatives are connected to a care provider.",
    },
    "gaps.explain.weights": {
        "nl": "**Hoe het gewogen wordt.** (1) Behoefte: de gebieden in uw regio worden op het gekozen cijfer op volgorde "
              "gezet; het gebied met de hoogste behoefte krijgt 1, het laagste bijna 0. (2) Aanbod: een initiatief "
              "telt {initiative} als het verbonden is met een zorgaanbieder en {unlinked} als het dat niet is; een "
              "zorgaanbieder telt {provider}, een netwerk {network}, een bijeenkomst {meetup}. Dat gewogen aanbod "
              "wordt omgerekend per 10.000 inwoners. Bij {saturation} per 10.000 inwoners is de aanbod-index 0,63; "
              "meer aanbod telt steeds minder extra mee. (3) Score = 100 × behoefte × (1 − aanbod-index). Zonder "
              "aanbod is de score dus gelijk aan de behoefte; elk extra initiatief verlaagt hem.",
        "en": "**How it is weighted.** (1) Need: the areas in your region are put in order on the chosen figure; "
              "the area with the highest need gets 1, the lowest almost 0. (2) Supply: an initiative counts "
              "{initiative} when it is connected to a care provider and {unlinked} when it is not; a care provider "
              "counts {provider}, a network {network}, a meet-up {meetup}. That weighted supply is taken per 10,000 "
              "inhabitants. At {saturation} per 10,000 inhabitants the supply index is 0.63; more supply adds "
              "less and less. (3) Score = 100 × need × (1 − supply index). Without supply the score equals the "
              "need; every extra initiative lowers it.",
    },
    "gaps.explain.unscored": {
        "nl": "**Geen score** krijgen gebieden met minder dan {min} inwoners (bedrijventerreinen, havens) en gebieden "
              "waarvan het behoeftecijfer ontbreekt. Een ontbrekend cijfer telt nooit als nul: zulke gebieden staan "
              "onderaan de lijst met de reden, en tellen niet mee bij de volgorde van de andere.",
        "en": "**No score** is given to areas with fewer than {min} inhabitants (industrial estates, harbours) or "
              "whose need figure is missing. A missing figure never counts as zero: such areas are listed last "
              "with the reason, and do not affect the order of the others.",
    },
    "gaps.explain.blind": {
        "nl": "**Wat de score niet ziet.** Alleen wat op deze kaart is aangemeld telt als aanbod: mantelzorg, buren, "
              "kerken, verenigingen en de wijkverpleging die hier niet staan, ziet de score niet. Een initiatief "
              "telt alleen in het gebied waar zijn punt ligt, ook als het meer wijken bedient; records waarvan alleen "
              "de plaats bekend is, liggen in het midden van die plaats en tellen dus in de centrale wijk; records "
              "zonder locatie (online) tellen niet mee. Verbindingen tellen alleen als ze geregistreerd zijn. De score "
              "vergelijkt gebieden binnen uw keuze: dezelfde wijk kan in een andere regio-keuze een andere score "
              "hebben.",
        "en": "**What the score cannot see.** Only what is registered on this map counts as supply: informal carers, "
              "neighbours, churches, clubs and district nursing that are not listed here are invisible to it. An "
              "initiative counts only in the area where its point lies, even if it serves more districts; records "
              "known only by their town sit at the centre of that town and so count in the central district; "
              "records without a location (online) are not counted. Connections count only when registered. The score "
              "compares areas within your choice: the same district can score differently in another selection.",
    },
    "gaps.explain.blind_households": {
        "nl": "Eenpersoonshuishoudens (alleenwonenden) zijn er alleen per gemeente (CBS 85984NED, 2024). Per wijk "
              "bestaat dat cijfer niet in deze gegevens; Wmo-cliënten bestaan op geen enkel niveau in deze gegevens.",
        "en": "Single-person households (people living alone) exist per municipality only (CBS 85984NED, 2024). Per "
              "district that figure does not exist in this data; Wmo clients exist at no level in this data.",
    },
    "gaps.explain.supply": {
        "nl": "**Twee soorten aanbod.** *Gemeenschap*: wat op deze kaart staat (zie hierboven); ontmoetingsplekken "
              "die zelf geen initiatief zijn tellen {venue} en nooit als initiatief. *Huisarts*: een maat voor "
              "professioneel aanbod uit CBS: de afstand over de weg tot de dichtstbijzijnde huisartsenpraktijk "
              "(85984NED, 2024). Op 0 km is die aanbod-index 1; elke {halving} km verder halveert hij "
              "(1 km → 0,5; 2 km → 0,25). *Beide*: het gemiddelde van de twee aanbod-indexen. U kiest het in de "
              "zijbalk; de keuze staat in de link (`aanbod=`).",
        "en": "**Two kinds of supply.** *Community*: what is on this map (see above); meeting places that are not "
              "initiatives themselves count {venue} and never as an initiative. *GP*: a measure of professional "
              "supply from CBS: the road distance to the nearest GP practice (85984NED, 2024). At 0 km that supply "
              "index is 1; every {halving} km further halves it (1 km → 0.5; 2 km → 0.25). *Both*: the mean of the "
              "two supply indexes. You choose it in the sidebar; the choice is in the link (`aanbod=`).",
    },
    "gaps.explain.vulnerability": {
        "nl": "**Kwetsbaarheidsindex.** K = 100 × (r(aandeel 65+) + r(alleenwonen)) / 2. Hier is r de plaats in de "
              "rangorde van de vergeleken gebieden, van bijna 0 (laagste) tot 1 (hoogste). *Alleenwonen* is bij "
              "gemeenten het aandeel eenpersoonshuishoudens; bij wijken, waar CBS dat hier niet publiceert, de "
              "gemiddelde huishoudensgrootte (hoe kleiner, hoe hoger r). Beide uit CBS 85984NED (2024). Ontbreekt "
              "een van de twee, dan heeft het gebied geen index.",
        "en": "**Vulnerability index.** K = 100 × (r(share 65+) + r(living alone)) / 2. Here r is the place in the "
              "ranking of the compared areas, from almost 0 (lowest) to 1 (highest). *Living alone* is the share "
              "of single-person households for municipalities; for districts, where CBS does not publish it here, "
              "the average household size (the smaller, the higher r). Both from CBS 85984NED (2024). If either "
              "is missing, the area has no index.",
    },
    "gaps.explain.example": {
        "nl": "**Voorbeeld: {name}.** Aandeel 65+ {share65}; {alone_label} {alone}; kwetsbaarheidsindex {index}. "
              "Aanbod: {records} records op de kaart, afstand tot de huisarts {distance}. Aanbod-index gemeenschap "
              "{community}, huisarts {professional}. Met de gekozen behoefte en het gekozen aanbod is de score {score}.",
        "en": "**Example: {name}.** Share 65+ {share65}; {alone_label} {alone}; vulnerability index {index}. "
              "Supply: {records} records on the map, distance to the GP {distance}. Supply index community "
              "{community}, GP {professional}. With the chosen need and supply the score is {score}.",
    },
    "gaps.explain.figures": {
        "nl": "**Cijfers en bronnen.** Inwoners, dichtheid, woningvoorraad, 65-plussers, huishoudens, "
              "huishoudensgrootte en afstand tot de huisarts: CBS Kerncijfers wijken en buurten 2024 (85984NED, "
              "1 januari 2024), per gemeente en per wijk gepubliceerd; het aandeel 65+ is berekend uit die "
              "gepubliceerde aantallen. Eenpersoonshuishoudens: CBS 85984NED (2024), alleen per gemeente. 75+: CBS "
              "Bevolking per postcode (83502NED, 1 januari 2021); per gemeente de som van de postcodegebieden in de "
              "gemeente. Per wijk publiceert CBS 75+ hier niet; de kaart telt de postcodegebieden waarvan het "
              "middelpunt in de wijk ligt (een benadering: een postcodegebied kan over een wijkgrens lopen). Ligt er "
              "geen middelpunt in de wijk, dan gebruikt de kaart voor het *aandeel* het dichtstbijzijnde "
              "postcodegebied in dezelfde gemeente en blijven de *aantallen* 'niet beschikbaar'.",
        "en": "**Figures and sources.** Inhabitants, density, housing stock, 65+, households, household size and "
              "distance to the GP: CBS Key figures districts and neighbourhoods 2024 (85984NED, 1 January 2024), "
              "published per municipality and per district; the 65+ share is computed from those published counts. "
              "Single-person households: CBS 85984NED (2024), per municipality only. 75+: CBS Population by postcode "
              "(83502NED, 1 January 2021); per municipality the sum of the postcode areas in it. Per district CBS "
              "does not publish 75+ here; the map counts the postcode areas whose centre lies in the district (an "
              "approximation: a postcode area can cross a district border). Where no centre lies in the district, "
              "the map uses the nearest postcode area in the same municipality for the *share*, and the *numbers* "
              "stay 'not available'.",
    },
    "gaps.explain.check": {
        "nl": "**Controle.** Per gemeente opgeteld komen de afgeleide wijkcijfers 75+ overeen met de gemeentecijfers: "
              "grootste verschil {max_diff} personen over {gemeenten} gemeenten (toegestaan: {rel} % of {abs} personen).",
        "en": "**Check.** Summed per municipality, the derived district 75+ figures match the municipal figures: "
              "largest difference {max_diff} people over {gemeenten} municipalities (allowed: {rel} % or {abs} people).",
    },
    "gaps.explain.check_failed": {
        "nl": "**Let op:** in {n} gemeente(n) wijken de opgetelde wijkcijfers meer af dan toegestaan: {codes}.",
        "en": "**Note:** in {n} municipality(ies) the summed district figures deviate more than allowed: {codes}.",
    },
    "gaps.explain.check_missing": {
        "nl": "De wijkcijfers 65+/75+ ontbreken in deze database. Draai `python -m mapping build` om ze af te leiden.",
        "en": "The district 65+/75+ figures are missing from this database. Run `python -m mapping build` to derive them.",
    },
}
