"""The accessibility statement (toegankelijkheidsverklaring), in the order of the Dutch model
statement of digitoegankelijk.nl: commitment, standard, status, how it was checked, known
limitations, alternatives, how to report a problem."""

STRINGS = {
    "nav.accessibility": {"nl": "Toegankelijkheid", "en": "Accessibility"},
    "a11y.title": {"nl": "Toegankelijkheidsverklaring", "en": "Accessibility statement"},
    "a11y.intro": {
        "nl": "De beheerders van de Zorgzame Buurten Kaart willen dat iedereen deze website kan gebruiken: "
              "met alleen een toetsenbord, met een schermlezer, vergroot of op een smal scherm.",
        "en": "The maintainers of the Zorgzame Buurten Kaart want everyone to be able to use this website: "
              "with a keyboard only, with a screen reader, zoomed in or on a narrow screen.",
    },
    "a11y.standard.heading": {"nl": "Welke norm", "en": "Which standard"},
    "a11y.standard.body": {
        "nl": "Wij streven naar de Web Content Accessibility Guidelines (WCAG) 2.1, niveau AA, zoals "
              "vastgelegd in de Europese norm EN 301 549 en voorgeschreven voor Nederlandse overheden.",
        "en": "We aim for the Web Content Accessibility Guidelines (WCAG) 2.1, level AA, as laid down in "
              "the European standard EN 301 549 and required of Dutch public bodies.",
    },
    "a11y.status.heading": {"nl": "Status", "en": "Status"},
    "a11y.status.body": {
        "nl": "Deze website **voldoet gedeeltelijk** aan WCAG 2.1 AA. Er is nog geen onderzoek door een "
              "onafhankelijke, deskundige partij gedaan; daarom is dit een eigen verklaring.",
        "en": "This website **partially complies** with WCAG 2.1 AA. No audit by an independent expert "
              "has been done yet; this is therefore our own statement.",
    },
    "a11y.checked.heading": {"nl": "Hoe wij dit controleren", "en": "How we check it"},
    "a11y.checked.body": {
        "nl": "- Bij elke wijziging draait een automatische test met axe-core (regels WCAG 2.0/2.1 A en AA) op "
              "elke pagina, in het Nederlands en het Engels, ook in de kaarten; ernstige en kritieke fouten "
              "houden de wijziging tegen.\n"
              "- Toetsenbordtests zoeken de initiatieven van een gemeente en melden een initiatief aan, "
              "zonder muis.\n"
              "- Pagina's worden getest op 320 pixels breed zonder horizontaal scrollen.",
        "en": "- Every change runs an automatic test with axe-core (WCAG 2.0/2.1 A and AA rules) on every page, "
              "in Dutch and English, including the maps; serious and critical failures block the change.\n"
              "- Keyboard tests find the initiatives of a gemeente and sign up an initiative without a mouse.\n"
              "- Pages are tested at 320 pixels wide without horizontal scrolling.",
    },
    "a11y.limits.heading": {"nl": "Wat nog niet toegankelijk is", "en": "What is not accessible yet"},
    "a11y.limits.body": {
        "nl": "- **De kaarten zelf** zijn visueel. Markeringen hebben een naam en zijn met Tab en Enter te "
              "bedienen, maar gebieden, lijnen en kleurvlakken zijn niet stuk voor stuk met het toetsenbord "
              "te bereiken. Alles wat op een kaart staat, staat ook in de tabel eronder.\n"
              "- **Onderdelen van Streamlit**, het raamwerk waarop de site draait, kunnen wij niet aanpassen: "
              "sommige knoppen (menu, zijbalk in- en uitklappen, volledig scherm) hebben Engelse namen; de "
              "tabellen (`st.dataframe`) worden getekend op een canvas dat schermlezers maar beperkt "
              "voorlezen — de downloads (CSV) bevatten dezelfde gegevens.\n"
              "- **Achtergrondkaarten** (OpenStreetMap, PDOK) hebben labels met een eigen contrast; de kaart "
              "tekent zelf de gebiedsgrenzen, ook zonder achtergrond.\n"
              "- Na een taalwissel in de zijbalk krijgen de kaarten pas bij het volgende tekenen de nieuwe taal.",
        "en": "- **The maps themselves** are visual. Markers have a name and work with Tab and Enter, but areas, "
              "lines and coloured regions cannot each be reached with the keyboard. Everything on a map is also "
              "in the table below it.\n"
              "- **Parts of Streamlit**, the framework the site runs on, cannot be changed by us: some buttons "
              "(menu, collapsing the sidebar, full screen) have English names; the tables (`st.dataframe`) are "
              "drawn on a canvas that screen readers read only in part — the downloads (CSV) hold the same data.\n"
              "- **Background maps** (OpenStreetMap, PDOK) have labels with their own contrast; the map draws the "
              "region outlines itself, also without a background.\n"
              "- After switching language in the sidebar, a map shows the new language when it is drawn next.",
    },
    "a11y.report.heading": {"nl": "Een probleem melden", "en": "Report a problem"},
    "a11y.report.body": {
        "nl": "Kunt u iets niet vinden, lezen of gebruiken? Meld het aan de beheerders van de kaart (zie "
              "*Privacy* voor wie dat zijn) en vertel op welke pagina, wat u probeerde en met welk hulpmiddel. "
              "U krijgt binnen 5 werkdagen antwoord en binnen 3 weken een oplossing of een uitleg. Bent u niet "
              "tevreden over de afhandeling, dan kunt u zich wenden tot de Nationale Ombudsman.",
        "en": "Cannot find, read or use something? Tell the maintainers of the map (see *Privacy* for who they "
              "are): which page, what you tried and with which assistive tool. You get an answer within 5 "
              "working days and a fix or an explanation within 3 weeks. If you are not satisfied with how your "
              "report was handled, you can turn to the Nationale Ombudsman.",
    },
    "a11y.pick_record": {"nl": "Details tonen van", "en": "Show details of"},
    "a11y.pick_record.placeholder": {"nl": "Kies een record uit de tabel (typ om te zoeken)",
                                     "en": "Choose a record from the table (type to search)"},
    "a11y.field.consent": {"nl": "Toestemming", "en": "Consent"},
    "a11y.updated": {"nl": "Deze verklaring is bijgewerkt op {date}.", "en": "This statement was last updated on {date}."},
}
