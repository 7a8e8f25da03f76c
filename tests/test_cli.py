"""The command line builds with progress, and says what to do when something is wrong."""

from mapping.cli import main
from mapping.store import Store


def test_build_shows_progress_and_is_rerunnable(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    assert main(["--db", str(db), "build"]) == 0
    captured = capsys.readouterr()
    assert "%" in captured.err and "regiocodes toekennen" in captured.err
    assert "Done:" in captured.out
    assert main(["--db", str(db), "build"]) == 0
    store = Store(db)
    assert store.scalar("SELECT count(*) FROM public_records") >= 40
    store.close()


def test_database_in_use_is_explained(db_path, capsys):
    import subprocess
    import sys
    import time

    holder = subprocess.Popen([sys.executable, "-c",
                               "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ok', flush=True); time.sleep(30)",
                               str(db_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        code = main(["--db", str(db_path), "stats"])
        assert code == 3
        assert "in use by another process" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
        time.sleep(0.1)
