"""Run one page with Streamlit's AppTest against a database and print the result as JSON.

Used by ``bench/run.py`` in a subprocess (fresh Streamlit caches every time, and a run that
exceeds its budget can be killed without leaving a script thread behind):

    python bench/apptest_page.py --db FILE --page pages/kaart.py --timeout 300
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--page", default="pages/kaart.py")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    os.environ["MAPPING_DB"] = str(Path(args.db).resolve())
    from streamlit.testing.v1 import AppTest

    started = time.perf_counter()
    app = AppTest.from_file(str(PROJECT / args.page), default_timeout=args.timeout)
    app.run()
    seconds = time.perf_counter() - started
    result = {
        "seconds": seconds,
        "exceptions": [str(e.value)[:500] for e in app.exception],
        "errors": [str(e.value)[:300] for e in app.error],
        "elements": sum(1 for _ in app.main),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
