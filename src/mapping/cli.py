"""Command line: ``python -m mapping <command>``.

The CLI calls the same functions as the pages; it never has rules of its own. The database path
comes from ``--db`` or ``MAPPING_DB`` (default: ``var/zorgzame_buurten.duckdb``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from mapping import config, i18n
from mapping.store import DatabaseMissing, Store, StoreError, open_store

# Other modules register their subcommands here: name -> function(subparsers) adding a parser
# whose ``handler`` default is ``handler(args, store_opener) -> int``.
EXTENSIONS: list[str] = [
    "mapping.moderation:add_cli",
    "mapping.auth:add_cli",
    "mapping.backup:add_cli",
]


def _lang() -> str:
    return i18n.normalise_language(os.environ.get("MAPPING_LANG", "nl"))


def open_db(args: argparse.Namespace, *, create: bool = False, read_only: bool = False) -> Store:
    """The store the command works on: PostgreSQL with ``--database-url``/``MAPPING_DATABASE_URL``
    (server mode, while replicas run), else the DuckDB file of ``--db``/``MAPPING_DB``."""
    return open_store(args.db, create=create, read_only=read_only,
                      database_url=getattr(args, "database_url", None))


def cmd_build(args: argparse.Namespace) -> int:
    from mapping import ingest
    from mapping.progress import TextBar

    store = open_db(args, create=True)
    path = store.path
    print(f"Building {path} from {config.data_dir()}", file=sys.stderr)
    if store.engine == "postgres":
        from mapping.store import postgres_sync

        counts = postgres_sync.build(store, progress=TextBar())
    else:
        counts = ingest.build(store, progress=TextBar())
    store.close()
    print(f"Done: {counts.get('dataset_records', 0)} dataset records, "
          f"{counts.get('records_added', 0)} new, {counts.get('links_added', 0)} new links, "
          f"{counts.get('assigned', 0)} located records assigned to regions. Database: {path}")
    return 0


def print_report(report, lang: str) -> None:
    for row in report.rejected:
        reasons = "; ".join(f"{e.field}: {i18n.error_text(e, lang)}" for e in row.errors)
        print(f"  {i18n.t('cli.row', lang)} {row.row} ({row.name or '?'}): {reasons}")


def print_import_details(report, lang: str, out=None) -> None:
    """Interpretations and duplicates of an import report, one line each (rejections: print_report)."""
    out = out or sys.stdout
    if report.columns:
        understood = ", ".join(f"{c.header} → {c.field}" for c in report.columns if c.field)
        ignored = ", ".join(c.header or "?" for c in report.columns if not c.field)
        print(i18n.t("imports.cli.columns", lang, understood=understood or "—", ignored=ignored or "—"), file=out)
    if report.interpreted:
        print(i18n.t("imports.cli.interpreted", lang), file=out)
    for item in report.interpreted:
        print(f"  {i18n.t('cli.row', lang)} {item.row}: {item.field} '{item.original}' → '{item.value}' "
              f"({i18n.t('imports.how.' + item.how, lang)})", file=out)
    if report.duplicates:
        print(i18n.t("imports.cli.duplicates", lang), file=out)
    for dup in report.duplicates:
        target = dup.match_id or i18n.t("imports.row_match_row", lang, row=dup.match_row)
        reasons = ", ".join(i18n.t("imports.reason." + r, lang) for r in dup.reasons)
        print(f"  {i18n.t('cli.row', lang)} {dup.row} ({dup.name}) ≈ {dup.match_name} [{target}]: {reasons} — "
              f"{i18n.t('imports.action.' + dup.action, lang)}", file=out)


def cmd_import(args: argparse.Namespace) -> int:
    from mapping import imports, ingest

    lang = _lang()
    if args.list:
        store = open_db(args, read_only=False)
        batches = imports.list_batches(store)
        if not batches:
            print(i18n.t("imports.cli.no_batches", lang))
        for b in batches:
            undone = f"  undone {b.undone_at:%Y-%m-%d %H:%M} by {b.undone_by} ({b.withdrawn} withdrawn)" if b.undone_at else ""
            print(f"{b.id}  {b.created_at:%Y-%m-%d %H:%M}  {b.actor:<12} {b.source:<4} {b.file_name or '-'}  "
                  f"new {b.imported}, updated {b.updated}, interpreted {b.interpreted}, duplicates {b.duplicates}, "
                  f"rejected {b.rejected}, status {b.status}{undone}")
        return 0
    if args.undo:
        store = open_db(args)
        try:
            undone = imports.undo_batch(store, args.undo, actor=args.actor)
        except imports.UndoError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        print(i18n.t("imports.cli.undone", lang, batch=undone.batch_id, withdrawn=len(undone.withdrawn),
                     kept=len(undone.kept)))
        for record_id in undone.kept:
            print(f"  kept: {record_id}")
        return 0
    if not args.file:
        print(i18n.t("imports.cli.need_file", lang), file=sys.stderr)
        return 2
    path = Path(args.file)
    if not path.exists():
        print(i18n.t("cli.no_file", lang, path=path), file=sys.stderr)
        return 2
    store = open_db(args)
    try:
        if args.pending:
            from mapping import submissions

            report = submissions.import_pending(store, path, actor=args.actor)
            table = None
        else:
            table = imports.read_table(path)
            report = imports.import_table(store, table, actor=args.actor, dry_run=args.dry_run,
                                          update_existing=args.update_existing)
    except ingest.ImportFileError as exc:
        print(i18n.t("cli.file_rejected", lang, error=str(exc)), file=sys.stderr)
        return 2
    status = "pending" if args.pending else "approved"
    print(i18n.t("cli.import_summary", lang, imported=len(report.imported), rejected=len(report.rejected),
                 total=report.total, status=status))
    if table is not None:
        print(i18n.t("imports.cli.summary", lang, file=path.name, status=status, **report.counts()))
        print_import_details(report, lang)
    if report.rejected:
        print(i18n.t("imports.cli.rejected", lang))
    print_report(report, lang)
    if args.pending:
        submissions.print_secret_links(report, lang)
    elif args.dry_run:
        print(i18n.t("imports.cli.dry_run", lang))
    elif report.batch_id:
        print(i18n.t("imports.cli.batch", lang, batch=report.batch_id))
    if args.rejected and table is not None and report.rejected:
        name, data, _mime = imports.rejected_file(table, report, lang)
        Path(args.rejected).write_bytes(data)
        print(i18n.t("imports.cli.rejected_file", lang, path=args.rejected))
    store.close()
    return 1 if report.rejected and not report.imported and not report.duplicates else 0


def cmd_import_osm(args: argparse.Namespace) -> int:
    from mapping import ingest, osm

    lang = _lang()
    path = Path(args.file)
    if not path.exists():
        print(i18n.t("cli.no_file", lang, path=path), file=sys.stderr)
        return 2
    store = open_db(args)
    try:
        report = osm.import_osm(store, path, actor=args.actor, dry_run=args.dry_run)
    except ingest.ImportFileError as exc:
        print(i18n.t("cli.file_rejected", lang, error=str(exc)), file=sys.stderr)
        return 2
    print(i18n.t("imports.cli.summary", lang, file=path.name, status="approved", **report.counts()))
    print_import_details(report, lang)
    print_report(report, lang)
    print(i18n.t("imports.cli.osm_withdrawn", lang, count=len(report.withdrawn)))
    print(i18n.t("imports.cli.dry_run", lang) if args.dry_run else i18n.t("imports.cli.batch", lang, batch=report.batch_id))
    store.close()
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from mapping import exports, queries

    store = open_db(args, read_only=args.db_read_only)
    flt, ignored = queries.from_params({k: v for k, v in (p.split("=", 1) for p in args.filter)})
    if ignored:
        print(f"Ignored filter parameters: {', '.join(ignored)}", file=sys.stderr)
    frame = queries.export_records(store, flt)      # the same selection as the page's download
    writer: Callable = {"csv": exports.to_csv, "geojson": exports.to_geojson,
                        "ics": lambda f: exports.to_ics(f, _lang())}[args.format]
    data = writer(frame)
    if args.output == "-":
        sys.stdout.buffer.write(data)
    else:
        Path(args.output).write_bytes(data)
        print(f"Wrote {len(frame)} records to {args.output}", file=sys.stderr)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from mapping import demo
    from mapping.progress import TextBar

    target = Path(args.db) if args.db else config.PROJECT_DIR / "var" / f"demo_{args.records}.duckdb"
    if target.resolve() == config.default_db_path().resolve() or (
            not args.db and os.environ.get("MAPPING_DB") and Path(os.environ["MAPPING_DB"]).resolve() == target.resolve()):
        print("Refusing to write synthetic records into the default database; give a --db of its own.",
              file=sys.stderr)
        return 2
    try:
        counts = demo.create_demo_database(target, args.records, seed=args.seed, progress=TextBar())
    except demo.DemoDatabaseError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"Demo database with {counts['records']} synthetic records: {target}\n"
          f"Start the dashboard on it with: MAPPING_DB={target} streamlit run app.py")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from mapping import queries

    store = open_db(args, read_only=args.db_read_only)
    for title, frame in queries.stats(store).items():
        print(f"\n== per {title} ==")
        if frame.empty:
            print("  (none)")
        for row in frame.itertuples(index=False):
            print(f"  {row[0]:<32} {row[1]:>8}")
    total = store.scalar("SELECT count(*) FROM records")
    links = store.scalar("SELECT count(*) FROM links")
    print(f"\nTotal records: {total}; public links: {links}"
          + ("  [SYNTHETIC DEMO DATABASE]" if queries.is_synthetic(store) else ""))
    return 0


DB_HELP = "database file (default: $MAPPING_DB or var/zorgzame_buurten.duckdb)"


def _db_after_command(parser: argparse.ArgumentParser) -> None:
    """``--db`` also after the command name (``python -m mapping stats --db X``), as people type it.
    SUPPRESS: when given only before the command, the subparser leaves that value alone."""
    if not any("--db" in action.option_strings for action in parser._actions):
        parser.add_argument("--db", default=argparse.SUPPRESS, help=DB_HELP)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _db_after_command(child)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mapping", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help=DB_HELP)
    parser.add_argument("--database-url", metavar="URL",
                        help="server mode: postgresql://… (default: $MAPPING_DATABASE_URL or [database] url "
                             "in .streamlit/secrets.toml); several dashboards and this command share it")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="create or upgrade the database from data/ (keeps submitted records)")
    p.set_defaults(handler=cmd_build)

    p = sub.add_parser("import", help="import a CSV, XLSX or GeoJSON file of records, with a row-by-row report; "
                                      "list or undo import batches")
    p.add_argument("file", nargs="?")
    p.add_argument("--pending", action="store_true", help="store rows as pending submissions for moderation")
    p.add_argument("--dry-run", action="store_true", help="show what would be imported, interpreted and rejected; "
                                                          "write nothing")
    p.add_argument("--rejected", metavar="FILE", help="write the rejected rows with a 'reden' column to FILE "
                                                       "(same format and separator as the input)")
    p.add_argument("--update-existing", action="store_true",
                   help="update a matching existing record (with a revision) instead of skipping the row")
    p.add_argument("--list", action="store_true", help="list import batches")
    p.add_argument("--undo", metavar="BATCH", help="withdraw the records of BATCH that nobody changed since")
    p.add_argument("--actor", default=os.environ.get("USER") or "import", help="name recorded in the history")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("import-osm", help="import an OpenStreetMap export (Overpass JSON or GeoJSON): "
                                          "re-importing updates changed and withdraws vanished elements")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    p.add_argument("--actor", default=os.environ.get("USER") or "import", help="name recorded in the history")
    p.set_defaults(handler=cmd_import_osm)

    p = sub.add_parser("export", help="export approved records as CSV, GeoJSON or iCalendar")
    p.add_argument("--format", choices=("csv", "geojson", "ics"), default="csv")
    p.add_argument("--output", "-o", default="-", help="file to write (default: stdout)")
    p.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE",
                   help="filter like the map URL, e.g. --filter gemeente=GM0579 --filter thema=hofje")
    p.set_defaults(handler=cmd_export, db_read_only=False)

    p = sub.add_parser("demo", help="create a SYNTHETIC demo database of N records (its own file)")
    p.add_argument("--records", type=int, default=1000)
    p.add_argument("--seed", type=int, default=42)
    # also after the subcommand, as documented: `python -m mapping demo --records N --db FILE`
    p.add_argument("--db", default=argparse.SUPPRESS, help="the demo database file (default: var/demo_N.duckdb)")
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("stats", help="counts per kind, per provincie and per status")
    p.set_defaults(handler=cmd_stats, db_read_only=False)

    import importlib

    for spec in EXTENSIONS:
        module_name, function = spec.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        getattr(module, function)(sub)
    for command in sub.choices.values():
        _db_after_command(command)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except DatabaseMissing as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except StoreError as exc:
        print(str(exc), file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`python -m mapping moderate list | head`): stop quietly, like other
        # command-line tools. Point stdout at /dev/null so that the interpreter's final flush of
        # the buffered rest does not raise a second time.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
