"""The one CSV dialect of every download (records, Verbindingen, Witte vlekken): ``;`` as
separator, CRLF line ends, UTF-8 with a byte order mark — what Dutch Excel opens as columns
(with ``,`` it shows everything in one column, because ``,`` is the Dutch decimal sign)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

DELIMITER = ";"
LINE_END = "\r\n"
BOM = "\ufeff"


class ExcelSemicolon(csv.excel):
    delimiter = DELIMITER
    lineterminator = LINE_END
    quoting = csv.QUOTE_MINIMAL


def rows_to_csv(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """A header and rows of already formatted cells as a download."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect=ExcelSemicolon)
    writer.writerow(list(header))
    writer.writerows(rows)
    return (BOM + buffer.getvalue()).encode("utf-8")


def frame_to_csv(frame: pd.DataFrame, *, decimal: str = ".") -> bytes:
    """A table as a download; ``decimal``: the decimal sign of numbers (',' for Dutch readers)."""
    text = frame.to_csv(index=False, sep=DELIMITER, lineterminator=LINE_END, decimal=decimal,
                        quoting=csv.QUOTE_MINIMAL)
    return (BOM + text).encode("utf-8")
