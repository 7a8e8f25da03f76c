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
}
