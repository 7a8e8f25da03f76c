"""One sign-up process for the server-mode fault tests: ``first count threads``.

Does what the Aanmelden page does (``submissions.check`` then ``create_submission``) on the store
of ``MAPPING_DATABASE_URL`` and prints one JSON line per sign-up *after* its commit returned, i.e.
exactly what a visitor sees acknowledged.
"""

from __future__ import annotations

import json
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from mapping import submissions
from mapping.store import open_store


def main(first: int, count: int, threads: int) -> int:
    store = open_store()
    lock = threading.Lock()

    def sign_up(n: int) -> None:
        form = {"name": f"Buurtkamer proces {n}", "kind": "initiative", "themes": ["ontmoeting"],
                "description": "Koffie in de wijk", "postcode": "2341 AB", "online": False,
                "contact_name": f"Contact {n}", "contact_email": f"proces{n}@voorbeeld.nl", "consent": True}
        checked = submissions.check(store, form)
        if not checked.ok:
            raise SystemExit(f"rejected {n}: {checked.errors}")
        receipt = submissions.create_submission(store, checked, now=datetime.now())
        with lock:
            print(json.dumps({"reference": receipt.reference}), flush=True)

    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(sign_up, n) for n in range(first, first + count)]:
            future.result()
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(*(int(a) for a in sys.argv[1:4])))
