"""Lists of a selection without a map library: Markdown tables keep user text literal."""

from __future__ import annotations

import re

import pandas as pd

from mapping import listing


def cells(table: str) -> list[list[str]]:
    """What a Markdown renderer sees as the cells (split on unescaped pipes, escapes removed)."""
    return [[re.sub(r"\\(.)", r"\1", cell.strip()) for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
            for line in table.splitlines() if not line.startswith("|---")]


def test_markdown_table_keeps_hostile_text_literal_and_in_its_cell():
    hostile = "Buurt | kamer <img src=x onerror=alert(1)> [klik](javascript:alert(1)) **vet** $x$\nregel 2"
    table = listing.markdown_table(pd.DataFrame({"Naam": [hostile, None], "Aantal": [3, 4]}))
    rows = cells(table)
    assert rows[0] == ["Naam", "Aantal"]
    assert rows[1] == [hostile.replace("\n", " "), "3"]           # one cell, the text unchanged
    assert rows[2] == ["", "4"]                                   # missing values are empty
    # nothing a Markdown renderer would turn into markup is left unescaped
    raw_cell = re.split(r"(?<!\\)\|", table.splitlines()[2])[1]
    assert re.search(r"(?<!\\)[<>\[\]()*$|`]", raw_cell) is None, raw_cell


def test_markdown_table_of_an_empty_frame_has_only_its_header():
    assert listing.markdown_table(pd.DataFrame({"Naam": []})).splitlines() == ["| Naam |", "|---|"]
