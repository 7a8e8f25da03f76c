"""Strings of the sign-up form, the owner's status page ("Mijn aanmelding") and the privacy page."""

STRINGS = {
    # -- sign-up form ---------------------------------------------------------------------------------
    "aanmelden.title": {"nl": "Aanmelden", "en": "Sign up"},
    "aanmelden.intro": {
        "nl": "Zet uw initiatief, organisatie, netwerk of bijeenkomst op de kaart. Een postcode is genoeg om te beginnen; "
              "het invullen kost een paar minuten. Een moderator bekijkt elke aanmelding voordat die openbaar wordt.",
        "en": "Put your initiative, organisation, network or meet-up on the map. A postcode is enough to start; "
              "filling in takes a few minutes. A moderator reviews every submission before it becomes public.",
    },
    "aanmelden.privacy_note": {
        "nl": "Uw naam en e-mailadres zijn alleen voor de moderatoren en worden nooit getoond. Lees de [privacyverklaring](./privacy).",
        "en": "Your name and e-mail address are for the moderators only and are never shown. Read the [privacy statement](./privacy).",
    },
    "aanmelden.required_note": {"nl": "Verplicht: naam, soort, een plek (postcode of plaats) of ‘online’, uw naam en e-mailadres en toestemming.",
                                "en": "Required: name, kind, a location (postcode or place) or ‘online’, your name and e-mail address, and consent."},
    "aanmelden.field.name": {"nl": "Naam van het initiatief of de organisatie", "en": "Name of the initiative or organisation"},
    "aanmelden.field.kind": {"nl": "Soort", "en": "Kind"},
    "aanmelden.field.themes": {"nl": "Thema's", "en": "Themes"},
    "aanmelden.field.description": {"nl": "Korte omschrijving", "en": "Short description"},
    "aanmelden.field.online": {"nl": "Alleen online (geen vaste plek)", "en": "Online only (no fixed place)"},
    "aanmelden.field.postcode": {"nl": "Postcode", "en": "Postcode"},
    "aanmelden.field.place": {"nl": "Plaats", "en": "Place"},
    "aanmelden.field.address": {"nl": "Adres (straat en huisnummer, optioneel)", "en": "Address (street and number, optional)"},
    "aanmelden.field.website": {"nl": "Website (optioneel)", "en": "Website (optional)"},
    "aanmelden.field.start_date": {"nl": "Datum", "en": "Date"},
    "aanmelden.field.start_time": {"nl": "Begintijd", "en": "Start time"},
    "aanmelden.field.end_time": {"nl": "Eindtijd (optioneel)", "en": "End time (optional)"},
    "aanmelden.field.meeting_url": {"nl": "Link om online mee te doen", "en": "Link to join online"},
    "aanmelden.field.partners": {"nl": "Met wie werkt u samen? (al op de kaart)", "en": "Whom do you work with? (already on the map)"},
    "aanmelden.field.partners_text": {"nl": "Andere samenwerkingspartners (vrije tekst)", "en": "Other partners (free text)"},
    "aanmelden.field.contact_name": {"nl": "Uw naam", "en": "Your name"},
    "aanmelden.field.contact_email": {"nl": "Uw e-mailadres", "en": "Your e-mail address"},
    "aanmelden.field.consent": {
        "nl": "Ik ga akkoord met de privacyverklaring: mijn naam en e-mailadres worden alleen gebruikt om over deze aanmelding contact op te nemen.",
        "en": "I agree to the privacy statement: my name and e-mail address are only used to contact me about this submission.",
    },
    "aanmelden.help.name": {"nl": "Zoals mensen u kennen, bijvoorbeeld ‘Buurtkamer De Linde’.", "en": "As people know you, for example ‘Buurtkamer De Linde’."},
    "aanmelden.help.kind": {"nl": "Initiatief: door bewoners. Zorgaanbieder: professionele zorg of welzijn. Netwerk: samenwerkingsverband. Bijeenkomst: een activiteit op een datum.",
                            "en": "Initiative: run by residents. Care provider: professional care or welfare. Network: a partnership. Meet-up: an activity on a date."},
    "aanmelden.help.themes": {"nl": "Kies wat past; de uitleg staat hieronder.", "en": "Choose what fits; the explanations are below."},
    "aanmelden.help.description": {"nl": "Wat doet u, voor wie? Hoogstens {max} tekens.", "en": "What do you do, for whom? At most {max} characters."},
    "aanmelden.help.online": {"nl": "Vink aan als er geen plek is waar mensen naartoe kunnen.", "en": "Tick if there is no place people can go to."},
    "aanmelden.help.postcode": {"nl": "Bijvoorbeeld 2341 AB. De kaart zet het punt in het midden van het postcodegebied; klik daarna op de kaart voor een preciezer punt.",
                                "en": "For example 2341 AB. The map puts the point in the middle of the postcode area; then click the map for a more precise point."},
    "aanmelden.help.place": {"nl": "Woonplaats; wordt aangevuld uit de postcode als u die invult.", "en": "Town; filled in from the postcode if you give one."},
    "aanmelden.help.address": {"nl": "Alleen als het een openbare plek is (buurthuis, kantoor). Vul nooit een privéadres in.",
                               "en": "Only for a public place (community centre, office). Never enter a private home address."},
    "aanmelden.help.website": {"nl": "Begint met https:// of http://", "en": "Starts with https:// or http://"},
    "aanmelden.help.meeting_url": {"nl": "Nodig voor een online bijeenkomst.", "en": "Needed for an online meet-up."},
    "aanmelden.help.partners": {"nl": "Typ om te zoeken; de moderator legt de verbinding na goedkeuring.", "en": "Type to search; the moderator adds the connection after approval."},
    "aanmelden.help.partners_text": {"nl": "Partners die nog niet op de kaart staan.", "en": "Partners who are not on the map yet."},
    "aanmelden.themes_placeholder": {"nl": "Kies thema's", "en": "Choose themes"},
    "aanmelden.themes_explained": {"nl": "Wat betekenen de thema's?", "en": "What do the themes mean?"},
    "aanmelden.partners_placeholder": {"nl": "Zoek op naam", "en": "Search by name"},
    "aanmelden.section.where": {"nl": "Waar", "en": "Where"},
    "aanmelden.section.when": {"nl": "Wanneer", "en": "When"},
    "aanmelden.section.partners": {"nl": "Samenwerking", "en": "Working together"},
    "aanmelden.section.contact": {"nl": "Contact (privé)", "en": "Contact (private)"},
    "aanmelden.contact_private": {"nl": "Alleen voor de moderatoren; nooit zichtbaar op de kaart, in tabellen of downloads.",
                                  "en": "For the moderators only; never visible on the map, in tables or in downloads."},
    "aanmelden.point.found": {"nl": "Punt op de kaart: {label}. Klik op de kaart om het preciezer te zetten.",
                              "en": "Point on the map: {label}. Click the map to place it more precisely."},
    "aanmelden.point.picked": {"nl": "Punt op de kaart: door u gekozen ({lat}, {lon}).", "en": "Point on the map: chosen by you ({lat}, {lon})."},
    "aanmelden.point.none": {"nl": "Vul een postcode of plaats in; dan verschijnt het punt op de kaart. U kunt ook direct op de kaart klikken.",
                             "en": "Enter a postcode or place and the point appears on the map. You can also click the map directly."},
    "aanmelden.point.reset": {"nl": "Gekozen punt wissen", "en": "Clear the chosen point"},
    "aanmelden.honeypot": {"nl": "Laat dit veld leeg", "en": "Leave this field empty"},
    "aanmelden.challenge": {"nl": "Controlevraag: hoeveel is {a} plus {b}?", "en": "Check question: what is {a} plus {b}?"},
    "aanmelden.submit": {"nl": "Aanmelding versturen", "en": "Send submission"},
    "aanmelden.form_errors": {"nl": "De aanmelding is nog niet verstuurd: {count} veld(en) hebben aandacht nodig ({fields}). Uw invoer is bewaard.",
                              "en": "The submission has not been sent yet: {count} field(s) need attention ({fields}). What you typed has been kept."},
    "aanmelden.db_error": {
        "nl": "Uw aanmelding is niet opgeslagen: de database is op dit moment niet bereikbaar. Alles wat u invulde staat nog in het formulier; probeer het over een minuut opnieuw.",
        "en": "Your submission was not saved: the database cannot be reached right now. Everything you entered is still in the form; please try again in a minute.",
    },
    "aanmelden.dup.heading": {"nl": "Is dit uw initiatief?", "en": "Is this your initiative?"},
    "aanmelden.dup.intro": {
        "nl": "Op de kaart staat al iets dat erg lijkt op uw aanmelding. Is het hetzelfde, stel dan een wijziging voor op dat record; anders gaat u door met een nieuwe aanmelding.",
        "en": "The map already has something very similar to your submission. If it is the same, propose a change to that record; otherwise continue with a new submission.",
    },
    "aanmelden.dup.reason.name_nearby": {"nl": "gelijkende naam, {distance} m verderop", "en": "similar name, {distance} m away"},
    "aanmelden.dup.reason.website": {"nl": "zelfde website", "en": "same website"},
    "aanmelden.dup.propose": {"nl": "Ja, dit is het: stel mijn gegevens voor als wijziging", "en": "Yes, this is it: propose my details as a change"},
    "aanmelden.dup.continue": {"nl": "Nee, ga door als nieuwe aanmelding", "en": "No, continue as a new submission"},
    "aanmelden.success.heading": {"nl": "Dank u wel — uw aanmelding is ontvangen", "en": "Thank you — your submission has been received"},
    "aanmelden.success.change_heading": {"nl": "Dank u wel — uw voorgestelde wijziging is ontvangen", "en": "Thank you — your proposed change has been received"},
    "aanmelden.success.reference": {"nl": "Uw kenmerk: {reference}", "en": "Your reference: {reference}"},
    "aanmelden.success.pending": {
        "nl": "Een moderator bekijkt de aanmelding; pas daarna verschijnt die op de kaart.",
        "en": "A moderator reviews the submission; only then does it appear on the map.",
    },
    "aanmelden.success.link_intro": {
        "nl": "Bewaar deze persoonlijke link goed (bijvoorbeeld als bladwijzer). Hiermee ziet u de status, kunt u de aanmelding wijzigen en later bevestigen dat alles nog klopt. Wie de link heeft, kan dat ook — deel hem dus niet. We sturen geen e-mail met de link.",
        "en": "Keep this personal link safe (for example as a bookmark). With it you can see the status, change the submission and later confirm that everything is still correct. Anyone with the link can do that too — so do not share it. We do not e-mail the link.",
    },
    "aanmelden.success.open": {"nl": "Status bekijken", "en": "View status"},
    "aanmelden.success.new": {"nl": "Nog iets aanmelden", "en": "Submit something else"},
    "aanmelden.error.location_required": {
        "nl": "Geef een postcode of plaats, klik een punt op de kaart, of vink ‘Alleen online’ aan.",
        "en": "Give a postcode or place, click a point on the map, or tick ‘Online only’.",
    },
    "aanmelden.error.consent": {"nl": "Geef toestemming voor de privacyverklaring; anders kunnen we de aanmelding niet bewaren.",
                                "en": "Agree to the privacy statement; otherwise we cannot keep the submission."},
    "aanmelden.error.meetup_start": {"nl": "Geef de datum van de bijeenkomst.", "en": "Give the date of the meet-up."},
    "aanmelden.error.partner_unknown": {"nl": "‘{value}’ staat niet (meer) op de kaart; kies een ander record.",
                                        "en": "‘{value}’ is not (or no longer) on the map; choose another record."},
    "aanmelden.error.too_many_partners": {"nl": "Kies hoogstens {max} partners; noem de rest in het tekstveld.",
                                          "en": "Choose at most {max} partners; name the others in the text field."},
    "aanmelden.error.spam": {"nl": "Deze aanmelding lijkt automatisch ingevuld en is niet verstuurd. Bent u een mens? Laad de pagina opnieuw en vul het formulier zelf in.",
                             "en": "This submission looks automatically filled in and was not sent. Are you human? Reload the page and fill in the form yourself."},
    "aanmelden.error.too_fast": {"nl": "Het formulier is wel erg snel verstuurd. Controleer uw gegevens en verstuur opnieuw (na minstens {seconds} seconden).",
                                 "en": "The form was sent very quickly. Check your details and send again (after at least {seconds} seconds)."},
    "aanmelden.error.rate_limit": {"nl": "U heeft net al een paar aanmeldingen verstuurd. Probeer het over {minutes} minuten opnieuw.",
                                   "en": "You have just sent several submissions. Try again in {minutes} minutes."},
    "aanmelden.error.challenge": {"nl": "Het antwoord op de controlevraag klopt niet. Er staat nu een nieuwe vraag.",
                                  "en": "The answer to the check question is not correct. There is a new question now."},
    "aanmelden.error.target_gone": {"nl": "Het record waarop u een wijziging voorstelt, staat niet meer op de kaart. Ga door als nieuwe aanmelding.",
                                    "en": "The record you propose a change to is no longer on the map. Continue as a new submission."},
    "aanmelden.cli.links_heading": {
        "nl": "Persoonlijke statuslinks (nu één keer getoond; geef elke indiener alleen de eigen link):",
        "en": "Personal status links (shown this once; give each submitter only their own link):",
    },
    # -- owner's status page --------------------------------------------------------------------------
    "mijn.title": {"nl": "Mijn aanmelding", "en": "My submission"},
    "mijn.intro": {"nl": "Open deze pagina met de persoonlijke link die u na het aanmelden kreeg, of vul kenmerk en code in.",
                   "en": "Open this page with the personal link you received after signing up, or enter reference and code."},
    "mijn.ref": {"nl": "Kenmerk (bijv. ZB-ABCD-EFGH)", "en": "Reference (e.g. ZB-ABCD-EFGH)"},
    "mijn.token": {"nl": "Geheime code (uit de link, na token=)", "en": "Secret code (from the link, after token=)"},
    "mijn.open": {"nl": "Openen", "en": "Open"},
    "mijn.not_found": {"nl": "Deze combinatie van kenmerk en code is niet gevonden. Controleer of u de volledige link gebruikt.",
                       "en": "This combination of reference and code was not found. Check that you use the complete link."},
    "mijn.heading": {"nl": "{name}", "en": "{name}"},
    "mijn.reference": {"nl": "Kenmerk {reference} · ingediend {when}", "en": "Reference {reference} · submitted {when}"},
    "mijn.status.pending": {"nl": "Wacht op een moderator. Nog niet zichtbaar op de kaart.", "en": "Waiting for a moderator. Not visible on the map yet."},
    "mijn.status.approved": {"nl": "Goedgekeurd en zichtbaar op de kaart.", "en": "Approved and visible on the map."},
    "mijn.status.rejected": {"nl": "Afgewezen. U kunt de aanmelding aanpassen en opnieuw indienen.", "en": "Rejected. You can adjust the submission and send it again."},
    "mijn.status.merged": {"nl": "Samengevoegd met een record dat al op de kaart stond.", "en": "Merged into a record that was already on the map."},
    "mijn.status.withdrawn": {"nl": "Ingetrokken. Uw contactgegevens zijn verwijderd.", "en": "Withdrawn. Your contact details have been deleted."},
    "mijn.change_pending": {"nl": "Uw voorgestelde wijziging ({reference}) wacht op een moderator; tot dan blijft de kaart zoals hij was.",
                            "en": "Your proposed change ({reference}) is waiting for a moderator; until then the map stays as it was."},
    "mijn.review_reason": {"nl": "Toelichting van de moderator: {reason}", "en": "Note from the moderator: {reason}"},
    "mijn.merged_into": {"nl": "Samengevoegd met: {name}", "en": "Merged into: {name}"},
    "mijn.details": {"nl": "Uw gegevens zoals ingediend", "en": "Your details as submitted"},
    "mijn.field": {"nl": "Veld", "en": "Field"},
    "mijn.value": {"nl": "Waarde", "en": "Value"},
    "mijn.last_verified": {"nl": "Laatst bevestigd: {date}", "en": "Last confirmed: {date}"},
    "mijn.never_verified": {"nl": "Nog nooit bevestigd.", "en": "Never confirmed yet."},
    "mijn.stale": {"nl": "Dit is meer dan 12 maanden niet bevestigd. Klopt alles nog? Eén klik is genoeg.",
                   "en": "This has not been confirmed for more than 12 months. Is everything still correct? One click is enough."},
    "mijn.confirm": {"nl": "Alles klopt nog — bevestigen", "en": "Everything is still correct — confirm"},
    "mijn.confirmed": {"nl": "Bedankt! Bevestigd op {date}.", "en": "Thank you! Confirmed on {date}."},
    "mijn.edit": {"nl": "Gegevens wijzigen", "en": "Change details"},
    "mijn.edit_note": {"nl": "Elke wijziging gaat opnieuw langs een moderator. Contactgegevens wijzigt u via de moderatoren.",
                       "en": "Every change goes past a moderator again. To change contact details, ask the moderators."},
    "mijn.save": {"nl": "Wijziging versturen", "en": "Send change"},
    "mijn.saved": {"nl": "Uw wijziging is ontvangen ({reference}) en wacht op een moderator.", "en": "Your change has been received ({reference}) and is waiting for a moderator."},
    "mijn.withdraw": {"nl": "Aanmelding intrekken", "en": "Withdraw submission"},
    "mijn.withdraw_help": {"nl": "Intrekken verwijdert ook uw contactgegevens.", "en": "Withdrawing also deletes your contact details."},
    "mijn.withdrawn": {"nl": "De aanmelding is ingetrokken.", "en": "The submission has been withdrawn."},
    "mijn.remove": {"nl": "Van de kaart laten halen", "en": "Ask to be taken off the map"},
    "mijn.remove_requested": {"nl": "Uw verzoek ({reference}) is ontvangen; een moderator haalt het record van de kaart.",
                              "en": "Your request ({reference}) has been received; a moderator will take the record off the map."},
    "mijn.thread": {"nl": "Uw aanmeldingen en wijzigingen", "en": "Your submissions and changes"},
    "mijn.col.reference": {"nl": "Kenmerk", "en": "Reference"},
    "mijn.col.type": {"nl": "Soort", "en": "Type"},
    "mijn.col.status": {"nl": "Status", "en": "Status"},
    "mijn.col.date": {"nl": "Datum", "en": "Date"},
    "mijn.col.note": {"nl": "Toelichting", "en": "Note"},
    "mijn.type.new": {"nl": "aanmelding", "en": "submission"},
    "mijn.type.change": {"nl": "wijziging", "en": "change"},
    "mijn.state.pending": {"nl": "wacht", "en": "pending"},
    "mijn.state.approved": {"nl": "goedgekeurd", "en": "approved"},
    "mijn.state.rejected": {"nl": "afgewezen", "en": "rejected"},
    "mijn.state.merged": {"nl": "samengevoegd", "en": "merged"},
    "mijn.state.withdrawn": {"nl": "ingetrokken", "en": "withdrawn"},
    "mijn.db_error": {"nl": "Dit is niet opgeslagen: de database is op dit moment niet bereikbaar. Probeer het over een minuut opnieuw.",
                      "en": "This was not saved: the database cannot be reached right now. Please try again in a minute."},
    "mijn.edit_errors": {"nl": "De wijziging is nog niet verstuurd; zie de meldingen bij de velden.",
                         "en": "The change has not been sent yet; see the messages next to the fields."},
    "mijn.error.not_found": {"nl": "Deze link klopt niet (meer).", "en": "This link is not (or no longer) valid."},
    "mijn.error.cannot_edit": {"nl": "Deze aanmelding kan niet meer worden gewijzigd.", "en": "This submission can no longer be changed."},
    "mijn.error.changed_meanwhile": {
        "nl": "Terwijl u dit invulde, is uw aanmelding beoordeeld door een moderator. Er is niets gewijzigd; "
              "open de pagina opnieuw om de nieuwe stand te zien.",
        "en": "While you were filling this in, a moderator decided on your submission. Nothing was changed; "
              "reload the page to see where it stands.",
    },
    "mijn.error.cannot_withdraw": {"nl": "Alleen een aanmelding die nog wacht, kan worden ingetrokken.", "en": "Only a submission that is still waiting can be withdrawn."},
    "mijn.error.not_public": {"nl": "Dit record staat (nog) niet op de kaart.", "en": "This record is not on the map (yet)."},
    "privacy.contact": {"nl": "**Contact met de beheerders:** {email}", "en": "**Contact the administrators:** {email}"},
    "privacy.contact_missing": {
        "nl": "Er is nog geen contactadres ingesteld. Beheerder: stel `MAPPING_CONTACT_EMAIL` in (omgeving of "
              "`.streamlit/secrets.toml`), dan staat het hier.",
        "en": "No contact address has been configured yet. Administrator: set `MAPPING_CONTACT_EMAIL` (environment or "
              "`.streamlit/secrets.toml`) and it appears here."},
    # -- privacy statement ----------------------------------------------------------------------------
    "privacy.title": {"nl": "Privacyverklaring", "en": "Privacy statement"},
    "privacy.body": {
        "nl": """
**Wie zijn wij.** De Zorgzame Buurten Kaart laat zien welke initiatieven, zorgaanbieders, netwerken en bijeenkomsten er in Nederlandse wijken zijn. De beheerders van deze kaart zijn verantwoordelijk voor de verwerking van de gegevens hieronder (verwerkingsverantwoordelijke in de zin van de AVG).

**Wat we bewaren.**
- *Openbaar:* wat u over het initiatief invult — naam, soort, thema's, omschrijving, plek (postcode, plaats, eventueel een openbaar adres of een punt op de kaart), website, data van bijeenkomsten en samenwerkingspartners. Dit is na goedkeuring voor iedereen zichtbaar. Vul daarom nooit een privéadres in.
- *Privé:* uw naam en e-mailadres als contactpersoon, en het moment waarop u toestemming gaf. Deze zijn alleen zichtbaar voor ingelogde moderatoren. Ze staan nooit op de kaart, in tabellen, downloads, links of in de geschiedenis van wijzigingen.
- *Geschiedenis:* elke wijziging (wie van de moderatoren, wanneer, wat) wordt bewaard, zonder contactgegevens.
- Uw persoonlijke link bevat een geheime code; wij bewaren daarvan alleen een onomkeerbare vingerafdruk (hash).

**Waarom.** Om uw aanmelding te controleren en u vragen te kunnen stellen over de aanmelding (grondslag: uw toestemming, AVG art. 6 lid 1a). We gebruiken uw gegevens niet voor iets anders, sturen geen nieuwsbrieven en delen ze met niemand.

**Hoe lang.** Contactgegevens bewaren we zolang het record op de kaart staat. Bij een afgewezen of ingetrokken aanmelding, of als een record van de kaart is gehaald, verwijderen we ze uiterlijk na zes maanden; trekt u zelf een aanmelding in, dan meteen.

**Uw rechten en verwijderen.** Met uw persoonlijke link (pagina *Mijn aanmelding*) ziet u de status van uw aanmelding en de openbare gegevens zoals u ze indiende; u kunt ze wijzigen (elke wijziging gaat langs een moderator), een wachtende aanmelding intrekken (uw contactgegevens worden dan direct verwijderd) of vragen om een record van de kaart te halen. Uw contactgegevens toont die pagina niet; inzien, wijzigen of verwijderen daarvan vraagt u aan de beheerders. Heeft u de link niet meer, neem dan contact op met de beheerders (adres hieronder) en noem uw kenmerk; wij helpen u binnen een maand. U kunt ook een klacht indienen bij de Autoriteit Persoonsgegevens.

**Geen tracking.** Deze site gebruikt geen advertenties, trackers of diensten van derden voor aanmelden of spamcontrole.
""",
        "en": """
**Who we are.** The Caring Neighbourhoods Map shows which initiatives, care providers, networks and meet-ups exist in Dutch neighbourhoods. The administrators of this map are responsible for processing the data below (controller under the GDPR).

**What we store.**
- *Public:* what you enter about the initiative — name, kind, themes, description, location (postcode, place, possibly a public address or a point on the map), website, meet-up dates and partners. After approval this is visible to everyone. So never enter a private home address.
- *Private:* your name and e-mail address as contact person, and when you gave consent. Only signed-in moderators can see these. They never appear on the map, in tables, downloads, links or in the history of changes.
- *History:* every change (which moderator, when, what) is kept, without contact details.
- Your personal link contains a secret code; we only store an irreversible fingerprint (hash) of it.

**Why.** To check your submission and to be able to ask you questions about it (legal basis: your consent, GDPR art. 6(1)(a)). We do not use your data for anything else, send no newsletters and share it with nobody.

**How long.** We keep contact details as long as the record is on the map. For a rejected or withdrawn submission, or when a record has been taken off the map, we delete them within six months at the latest; if you withdraw a submission yourself, immediately.

**Your rights and removal.** With your personal link (page *My submission*) you see the status of your submission and its public details as you sent them; you can change them (every change goes past a moderator), withdraw a pending submission (your contact details are then deleted at once) or ask for a record to be taken off the map. That page does not show your contact details; to see, change or delete those, ask the administrators. If you no longer have the link, contact the administrators (address below) and mention your reference; we will help you within a month. You can also lodge a complaint with the Dutch Data Protection Authority (Autoriteit Persoonsgegevens).

**No tracking.** This site uses no advertising, trackers or third-party services for sign-ups or spam checks.
""",
    },
}
