"""Strings of the backup and restore commands."""

STRINGS = {
    "backup.busy": {
        "nl": "De database {path} is in gebruik (waarschijnlijk door het draaiende dashboard). Stop het dashboard "
              "even en probeer opnieuw, of maak de back-up vanuit het dashboard zelf.",
        "en": "The database {path} is in use (probably by the running dashboard). Stop the dashboard briefly and "
              "try again, or make the backup from within the dashboard.",
    },
    "backup.failed": {"nl": "Back-up mislukt: {error}", "en": "Backup failed: {error}"},
    "backup.done": {
        "nl": "Back-up geschreven naar {file}: {tables} tabellen, {records} records, {submissions} aanmeldingen, "
              "{revisions} regels wijzigingsgeschiedenis.",
        "en": "Backup written to {file}: {tables} tables, {records} records, {submissions} submissions, "
              "{revisions} audit history entries.",
    },
    "backup.restore_failed": {"nl": "Herstellen mislukt: {error}", "en": "Restore failed: {error}"},
    "backup.restored": {
        "nl": "Back-up {file} hersteld in {path}: {tables} tabellen, {records} records, {submissions} aanmeldingen, "
              "{revisions} regels wijzigingsgeschiedenis.",
        "en": "Backup {file} restored into {path}: {tables} tables, {records} records, {submissions} submissions, "
              "{revisions} audit history entries.",
    },
    "backup.kept_old": {
        "nl": "De vorige database is bewaard als {path}.",
        "en": "The previous database was kept as {path}.",
    },
    "backup.ui.heading": {"nl": "Back-up downloaden", "en": "Download a backup"},
    "backup.ui.caption": {
        "nl": "De hele database (ook wachtende aanmeldingen, privé-contactgegevens en de geschiedenis) als één "
              "zipbestand, terwijl het dashboard blijft draaien. Bewaar het bestand veilig: het bevat persoonsgegevens.",
        "en": "The whole database (including pending submissions, private contact details and the history) as one "
              "zip file, while the dashboard keeps running. Keep the file safe: it holds personal data.",
    },
    "backup.ui.make": {"nl": "Back-up maken", "en": "Make a backup"},
    "backup.ui.download": {"nl": "Download {file}", "en": "Download {file}"},
    "backup.ui.refused": {
        "nl": "U bent niet (meer) aangemeld als moderator; er is geen back-up gemaakt. Meld u opnieuw aan.",
        "en": "You are no longer signed in as a moderator; no backup was made. Please sign in again.",
    },
    "backup.ui.server_mode": {
        "nl": "Serverdatabase: maak een back-up met `python -m mapping backup BESTAND` (werkt terwijl de replica's draaien).",
        "en": "Server database: make a backup with `python -m mapping backup FILE` (works while the replicas run).",
    },
}
