"""Strings of the command line."""

STRINGS = {
    "cli.row": {"nl": "regel", "en": "row"},
    "cli.no_file": {"nl": "Bestand {path} bestaat niet.", "en": "File {path} does not exist."},
    "cli.file_rejected": {"nl": "Bestand afgewezen: {error}", "en": "File rejected: {error}"},
    "cli.import_summary": {
        "nl": "{imported} van {total} regels geïmporteerd (status: {status}); {rejected} afgewezen:",
        "en": "{imported} of {total} rows imported (status: {status}); {rejected} rejected:",
    },
}
